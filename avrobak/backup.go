package avrobak

import (
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
	// Default 0: the codec's default.
	CompressionLevel int
	// BlockSize is the uncompressed size in bytes at which a block is
	// written. Default: [DefaultBlockSize] (1 MiB).
	BlockSize int
	// Metadata adds header entries (keys starting with "avro." or
	// "datafactory." are reserved). Default: none.
	Metadata map[string]string
	// TempDir holds the spool file (see the package documentation).
	// Default "": os.TempDir().
	TempDir string
	// Progress, when set, is called with the number of rows read so far
	// every [ProgressEvery] rows. Default nil.
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
// The rows are read in primary-key order by one SELECT, so they form one
// consistent snapshot. They are spooled to a temporary file (memory stays
// flat) and w receives the complete file at the end, so nothing reaches w
// when the read fails.
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

func backup(ctx context.Context, source *datastore.Store, table string, w io.Writer, opts *BackupOptions) (*Report, error) {
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
	var progress func(int64)
	if opts != nil {
		progress = opts.Progress
	}
	body, headerLen, rows, err := spoolRows(ctx, source, table, schema, spool, wopts, &sync, progress)
	if err != nil {
		return nil, err
	}
	if _, err := spool.Seek(headerLen, io.SeekStart); err != nil {
		return nil, err
	}
	// The final file: a header that records the row count, with the same
	// sync marker, followed by the spooled blocks.
	final, err := newWriter(w, schema, rows, wopts, &sync)
	if err != nil {
		return nil, err
	}
	if err := final.enc.Close(); err != nil { // writes no block; frees the codec
		return nil, err
	}
	if _, err := io.Copy(final.out, spool); err != nil {
		return nil, err
	}
	rep := final.Report()
	if want := final.headerLen + body - headerLen; rep.Bytes != want {
		return nil, fmt.Errorf("wrote %d bytes, want %d", rep.Bytes, want)
	}
	return &Report{Table: table, Rows: rows, Bytes: rep.Bytes, Codec: rep.Codec, SHA256: rep.SHA256}, nil
}

// spoolRows writes every row of table to f as a container file without a
// row count, and returns its size, its header size and the row count.
func spoolRows(ctx context.Context, source *datastore.Store, table string, schema *frictionless.Schema,
	f *os.File, wopts *WriterOptions, sync *[16]byte, progress func(int64)) (size, headerLen, rows int64, err error) {
	sw, err := newWriter(f, schema, UnknownRows, wopts, sync)
	if err != nil {
		return 0, 0, 0, err
	}
	headerLen = sw.headerLen
	read, err := source.ReadRows(ctx, table, func(row frictionless.Row) error {
		if err := sw.Write(row); err != nil {
			return err
		}
		if progress != nil && sw.rows%ProgressEvery == 0 {
			progress(sw.rows)
		}
		return ctx.Err()
	})
	if cerr := sw.Close(); err == nil && !errors.Is(cerr, ErrClosed) {
		err = cerr
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if a, b := mustAvro(schema, table), mustAvro(read, table); a != b {
		return 0, 0, 0, fmt.Errorf("%w: the table changed during the backup", ErrSchemaMismatch)
	}
	rep := sw.Report()
	return rep.Bytes, headerLen, rep.Rows, nil
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
