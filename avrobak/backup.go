package avrobak

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/storage"
)

// BackupOptions configure [Backup]. The zero value (or nil) means
// defaults.
type BackupOptions struct {
	// Codec compresses the blocks. Default: [DefaultCodec] (deflate).
	Codec Codec
	// CompressionLevel is the deflate (1…9) or zstandard (1…22) level.
	// Default 0: [DefaultDeflateLevel] (1) for deflate,
	// [DefaultZstandardLevel] (1) for zstandard.
	CompressionLevel int
	// BlockSize is the uncompressed size in bytes at which a block is
	// written. Default: [DefaultBlockSize] (1 MiB).
	BlockSize int
	// Metadata adds header entries (keys starting with "avro." or
	// "datafactory." are reserved). Default: none.
	Metadata map[string]string
	// TempDir holds the spool file of a backup from a store without
	// snapshots (see the package documentation).
	// Default "": os.TempDir().
	TempDir string
	// Progress, when set, is called with the number of rows encoded so far
	// every [ProgressEvery] rows, from the goroutine that encodes (the
	// caller's or another: it must not block). It starts from zero again
	// once when a backup into a file finds the rows not stored in key
	// order and reads them again (see [Backup]). Default nil.
	Progress func(rows int64)
}

// ProgressEvery is how many rows pass between calls of
// BackupOptions.Progress.
const ProgressEvery = 10000

// Report describes a finished backup.
type Report struct {
	Table    string
	Rows     int64         // rows in the file (recorded in its metadata)
	Bytes    int64         // size of the file
	Codec    Codec         // block codec
	Duration time.Duration // wall time of the whole backup
	SHA256   string        // hex SHA-256 of the file
}

// RowsPerSecond returns Rows / Duration.
func (r *Report) RowsPerSecond() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Rows) / r.Duration.Seconds()
}

// Backup writes table from source to w as an Avro object container file
// that records the table's Table Schema (with primary key) and row count.
//
// The rows are read in primary-key order from one consistent snapshot of
// the database ([datastore.Store.Snapshot]: a read-only REPEATABLE READ
// transaction), and the file streams straight to w. Into a file Backup can
// rewrite (see below) it first reads them in the order they are stored
// ([datastore.Snapshot.ReadValuesAsStored]), which PostgreSQL does faster
// than by the key's index and which is the key order for a table loaded
// in key order and not updated since; at the first row out of key order
// it truncates the file back to where it started and reads by the key.
// The file is the same either way (but for its random sync marker);
// Progress then counts from zero again. The row count
// recorded in the header is, when w is a regular *os.File open for
// reading and writing (not in append mode), the number of rows read,
// written into the header once they are all written (the file is read
// back for its SHA-256); for any other w it is counted in the snapshot
// first. When the read fails w may have received part of a file, which no
// reader accepts as complete (it lacks rows the header promises, or its
// count was never written); [BackupToBucket] discards it. A backend without
// snapshots (the CKAN DataStore) is read by one SELECT; into a file Backup
// can rewrite the count is then written after the rows, and for any other
// w the rows are spooled to a temporary file in TempDir and w receives the
// file only when complete.
func Backup(ctx context.Context, source *datastore.Store, table string, w io.Writer, opts *BackupOptions) (*Report, error) {
	start := time.Now()
	rep, err := backup(ctx, source, table, w, opts)
	if err != nil {
		return nil, fmt.Errorf("avrobak: backup %s: %w", table, err)
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

func (o *BackupOptions) writerOptions(table string) *WriterOptions {
	if o == nil {
		return &WriterOptions{Table: table}
	}
	return &WriterOptions{Codec: o.Codec, CompressionLevel: o.CompressionLevel, BlockSize: o.BlockSize, Table: table,
		Metadata: o.Metadata}
}

func (o *BackupOptions) progress() func(int64) {
	if o == nil {
		return nil
	}
	return o.Progress
}

// readFunc reads the table, calling fn per row, and returns the schema the
// rows were typed by.
type readFunc func(ctx context.Context, fn func(frictionless.Row) error) (*frictionless.Schema, error)

func backup(ctx context.Context, source *datastore.Store, table string, w io.Writer, opts *BackupOptions) (*Report, error) {
	snap, err := source.Snapshot(ctx)
	if errors.Is(err, errors.ErrUnsupported) {
		return backupWithoutSnapshot(ctx, source, table, w, opts)
	}
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	schema, err := snap.DescribeTable(ctx, table)
	if err != nil {
		return nil, err
	}
	f, base, later := rewritable(w)
	rows := int64(countLater)
	if !later {
		if rows, err = snap.CountRows(ctx, table); err != nil {
			return nil, err
		}
	}
	bw, err := newWriter(w, schema, rows, opts.writerOptions(table), nil)
	if err != nil {
		return nil, err
	}
	streamed := false
	if later {
		if bw, streamed, err = encodeAsStored(ctx, bw, f, base, schema, table, snap, opts); err != nil {
			return nil, err
		}
	}
	if !streamed {
		streamed, err = encodeValues(ctx, bw, schema, table, snap.ReadValues, opts.progress())
	}
	if !streamed {
		read := func(ctx context.Context, fn func(frictionless.Row) error) (*frictionless.Schema, error) {
			return snap.ReadRows(ctx, table, fn)
		}
		err = encodeRows(ctx, bw, schema, table, read, opts.progress())
	}
	if err != nil {
		return nil, err
	}
	return report(bw, table, f, base)
}

// report describes the file bw wrote, after writing its row count into
// f (where the file starts at base) when the count was left for later
// (f is not nil).
func report(bw *Writer, table string, f *os.File, base int64) (*Report, error) {
	rep := bw.Report()
	if f != nil {
		var err error
		if rep.SHA256, err = bw.writeCount(f, base); err != nil {
			return nil, err
		}
	}
	return &Report{Table: table, Rows: rep.Rows, Bytes: rep.Bytes, Codec: rep.Codec, SHA256: rep.SHA256}, nil
}

// backupWithoutSnapshot backs up from a store without snapshots, whose
// row count is known only once its one SELECT has been read: into a file
// it can rewrite, the count is written after the rows; into any other
// writer the rows go through a spool file.
func backupWithoutSnapshot(ctx context.Context, source *datastore.Store, table string, w io.Writer, opts *BackupOptions) (*Report, error) {
	f, base, later := rewritable(w)
	if !later {
		return spoolBackup(ctx, source, table, w, opts)
	}
	schema, err := source.DescribeTable(ctx, table)
	if err != nil {
		return nil, err
	}
	bw, err := newWriter(w, schema, countLater, opts.writerOptions(table), nil)
	if err != nil {
		return nil, err
	}
	if err := encodeStoreRows(ctx, bw, source, table, schema, opts); err != nil {
		return nil, err
	}
	return report(bw, table, f, base)
}

// encodeStoreRows encodes the rows of table, read with the store's one
// SELECT (no snapshot), into bw.
func encodeStoreRows(ctx context.Context, bw *Writer, source *datastore.Store, table string, schema *frictionless.Schema, opts *BackupOptions) error {
	read := func(ctx context.Context, fn func(frictionless.Row) error) (*frictionless.Schema, error) {
		return source.ReadRows(ctx, table, fn)
	}
	return encodeRows(ctx, bw, schema, table, read, opts.progress())
}

// spoolBackup backs up from a store without snapshots: the rows go to a
// spool file first, so the header can record their count.
func spoolBackup(ctx context.Context, source *datastore.Store, table string, w io.Writer, opts *BackupOptions) (*Report, error) {
	schema, err := source.DescribeTable(ctx, table)
	if err != nil {
		return nil, err
	}
	tempDir := ""
	if opts != nil {
		tempDir = opts.TempDir
	}
	spool, err := os.CreateTemp(tempDir, "avrobak-*.spool")
	if err != nil {
		return nil, err
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	var sync [16]byte
	_, _ = rand.Read(sync[:])
	wopts := opts.writerOptions(table)
	sw, err := newWriter(spool, schema, UnknownRows, wopts, &sync)
	if err != nil {
		return nil, err
	}
	if err := encodeStoreRows(ctx, sw, source, table, schema, opts); err != nil {
		return nil, err
	}
	spooled := sw.Report()
	if _, err := spool.Seek(sw.headerLen, io.SeekStart); err != nil {
		return nil, err
	}
	// The final file: a header that records the row count, with the same
	// sync marker, followed by the spooled blocks.
	final, err := newWriter(w, schema, spooled.Rows, wopts, &sync)
	if err != nil {
		return nil, err
	}
	if err := final.blk.close(); err != nil { // writes no block: the header is all
		return nil, err
	}
	if _, err := io.Copy(final.out, spool); err != nil {
		return nil, err
	}
	rep := final.Report()
	if want := final.headerLen + spooled.Bytes - sw.headerLen; rep.Bytes != want {
		return nil, fmt.Errorf("wrote %d bytes, want %d", rep.Bytes, want)
	}
	return &Report{Table: table, Rows: spooled.Rows, Bytes: rep.Bytes, Codec: rep.Codec, SHA256: rep.SHA256}, nil
}

// readValues is the shape of [datastore.Snapshot.ReadValues].
type readValues func(ctx context.Context, table string, sink datastore.ValueSink) (*frictionless.Schema, error)

// encodeValues reads the table's values with read straight into bw's
// blocks (reading and decoding on two goroutines, compressing on a third),
// then closes bw. streamed is false, with bw untouched and open, when the
// backend does not stream values.
func encodeValues(ctx context.Context, bw *Writer, schema *frictionless.Schema, table string, read readValues, progress func(int64)) (streamed bool, err error) {
	bw.blk.async = true // nobody reads the output before Close
	readSchema, err := read(ctx, table, newValueEncoder(bw, progress))
	if errors.Is(err, errors.ErrUnsupported) && bw.rows == 0 && len(bw.blk.buf) == 0 {
		return false, nil
	}
	return true, closeBackup(bw, schema, readSchema, table, err)
}

// encodeRows reads every row with read and writes it to bw, then closes
// bw. Reading (in the datastore), encoding (here) and compressing (the
// block writer) run on three goroutines. The schema the read used must be the one bw was made for.
func encodeRows(ctx context.Context, bw *Writer, schema *frictionless.Schema, table string, read readFunc, progress func(int64)) error {
	bw.blk.async = true // nobody reads the output before Close
	p := newPipe(ctx, len(schema.Fields))
	go p.encode(bw, progress)
	readSchema, err := read(p.ctx, p.add)
	if encErr := p.finish(err == nil); encErr != nil {
		err = encErr // the encoder's failure is the cause; the read only saw the cancellation
	}
	return closeBackup(bw, schema, readSchema, table, err)
}

// closeBackup closes bw after a read that returned readSchema and err, and
// checks that the table kept its schema during the read.
func closeBackup(bw *Writer, schema, readSchema *frictionless.Schema, table string, err error) error {
	if cerr := bw.Close(); err == nil && !errors.Is(cerr, ErrClosed) {
		err = cerr // a short count after a failed read says nothing new
	}
	if err != nil {
		return err
	}
	if a, b := mustAvro(schema, table), mustAvro(readSchema, table); a != b {
		return fmt.Errorf("%w: the table changed during the backup", ErrSchemaMismatch)
	}
	return nil
}

// pipeBatch is the number of rows handed from the reader to the encoder
// at a time.
const pipeBatch = 512

// rowBatch holds copies of up to pipeBatch rows in one allocation.
type rowBatch struct {
	rows  []frictionless.Row
	cells []any
}

// pipe moves rows from the datastore's read callback to an encoding
// goroutine, recycling batches so memory stays flat.
type pipe struct {
	ctx    context.Context
	cancel context.CancelFunc
	width  int
	cur    *rowBatch
	full   chan *rowBatch
	free   chan *rowBatch
	done   chan error
}

func newPipe(ctx context.Context, width int) *pipe {
	const queued = 4
	p := &pipe{width: width, full: make(chan *rowBatch, queued), free: make(chan *rowBatch, queued+2), done: make(chan error, 1)}
	p.ctx, p.cancel = context.WithCancel(ctx)
	p.cur = p.batch()
	return p
}

// batch returns a recycled or new empty batch.
func (p *pipe) batch() *rowBatch {
	select {
	case b := <-p.free:
		b.rows = b.rows[:0]
		return b
	default:
		return &rowBatch{rows: make([]frictionless.Row, 0, pipeBatch), cells: make([]any, pipeBatch*p.width)}
	}
}

// add copies row into the current batch; it is the ReadRows callback.
func (p *pipe) add(row frictionless.Row) error {
	if len(row) != p.width {
		return fmt.Errorf("%w: row has %d values, the table schema %d fields", ErrSchemaMismatch, len(row), p.width)
	}
	b := p.cur
	i := len(b.rows) * p.width
	dst := b.cells[i : i+p.width : i+p.width]
	copy(dst, row)
	b.rows = append(b.rows, dst)
	if len(b.rows) < pipeBatch {
		return nil
	}
	return p.send()
}

func (p *pipe) send() error {
	select {
	case p.full <- p.cur:
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
	p.cur = p.batch()
	return nil
}

// encode writes the rows of each batch until the pipe is closed; after a
// failure it cancels the read and drains.
func (p *pipe) encode(w *Writer, progress func(int64)) {
	var err error
	for b := range p.full {
		for _, row := range b.rows {
			if err != nil {
				break
			}
			if err = w.Write(row); err != nil {
				p.cancel()
			} else if progress != nil && w.rows%ProgressEvery == 0 {
				progress(w.rows)
			}
		}
		p.free <- b
	}
	p.done <- err
}

// finish flushes the last batch (when the read succeeded), closes the pipe
// and returns the encoder's error. When the encoder failed after the read
// ended, the flush sees the cancellation the encoder caused: its error is
// the one returned.
func (p *pipe) finish(flush bool) error {
	if flush && len(p.cur.rows) > 0 {
		if err := p.send(); err != nil {
			close(p.full)
			encErr := <-p.done
			p.cancel()
			return cmp.Or(encErr, err)
		}
	}
	close(p.full)
	err := <-p.done
	p.cancel()
	return err
}

// mustAvro returns the Avro schema text of s ("" when s cannot be mapped).
func mustAvro(s *frictionless.Schema, table string) string {
	if s == nil {
		return ""
	}
	p, _ := AvroSchema(s, table)
	return string(p)
}

// BackupToBucket backs table up to the object key of bucket. The object
// appears only when the backup is complete: on any failure the write is
// aborted and an earlier object at key is left as it was.
func BackupToBucket(ctx context.Context, source *datastore.Store, table string, bucket *storage.Bucket, key string, opts *BackupOptions) (*Report, error) {
	bw, err := bucket.NewWriter(ctx, key, &storage.WriteOptions{ContentType: ContentType})
	if err != nil {
		return nil, fmt.Errorf("avrobak: backup %s: %w", table, err)
	}
	rep, err := Backup(ctx, source, table, bw, opts)
	if err != nil {
		return nil, errors.Join(err, bw.Abort())
	}
	if err := bw.Close(); err != nil {
		return nil, fmt.Errorf("avrobak: backup %s: %w", table, err)
	}
	return rep, nil
}

// ContentType is the media type given to backups written to a bucket.
const ContentType = "application/avro"
