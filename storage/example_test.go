package storage_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/datafactory/datafactory/storage"
)

func ExampleBucket_Run() {
	ctx := context.Background()
	bucket, err := storage.Open(ctx, "mem://")
	if err != nil {
		log.Fatal(err)
	}
	defer bucket.Close()

	run := bucket.Run("ckan_load", "2024-05-01")
	// The extract task stores its output and a little metadata.
	extract := run.Task("extract")
	if _, err := extract.Put(ctx, "data.csv", strings.NewReader("id,name\n1,Ada\n"), nil); err != nil {
		log.Fatal(err)
	}
	if err := extract.PutJSON(ctx, "meta.json", map[string]int{"rows": 1}); err != nil {
		log.Fatal(err)
	}

	// The load task, possibly in another process, reads its upstream's outputs.
	load := run.Task("load")
	var meta map[string]int
	if err := load.Run().Task("extract").GetJSON(ctx, "meta.json", &meta); err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows:", meta["rows"])

	files, err := run.Files(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f.Key, f.Size)
	}
	// Names cannot leave the task directory.
	_, err = extract.Put(ctx, "../../other/x", strings.NewReader("x"), nil)
	fmt.Println(err)
	// Output:
	// rows: 1
	// ckan_load/2024-05-01/extract/data.csv 14
	// ckan_load/2024-05-01/extract/meta.json 16
	// storage: invalid key "../../other/x": contains a ".." segment (file name in ckan_load/2024-05-01/extract/)
}

func ExampleSubscription_Poll() {
	ctx := context.Background()
	bucket, err := storage.Open(ctx, "mem://")
	if err != nil {
		log.Fatal(err)
	}
	defer bucket.Close()
	for _, k := range []string{"incoming/b.csv", "incoming/a.csv", "incoming/notes.txt"} {
		if err := bucket.WriteAll(ctx, k, []byte("data"), nil); err != nil {
			log.Fatal(err)
		}
	}

	sub, err := bucket.Subscribe("incoming/", &storage.SubscriptionOptions{Pattern: `\.csv$`})
	if err != nil {
		log.Fatal(err)
	}
	var cur storage.Cursor // persisted by the caller, e.g. with PutJSON
	objs, cur, err := sub.Poll(ctx, cur)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range objs {
		fmt.Println("new:", o.Key)
	}

	// Later: only what arrived since is delivered.
	if err := bucket.WriteAll(ctx, "incoming/0.csv", []byte("early key, late file"), nil); err != nil {
		log.Fatal(err)
	}
	objs, _, err = sub.Poll(ctx, cur)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range objs {
		fmt.Println("new:", o.Key)
	}
	// Output:
	// new: incoming/a.csv
	// new: incoming/b.csv
	// new: incoming/0.csv
}

func ExampleQueue_Reserve() {
	ctx := context.Background()
	bucket, err := storage.Open(ctx, "mem://")
	if err != nil {
		log.Fatal(err)
	}
	defer bucket.Close()
	for key, size := range map[string]int{"drop/1": 40, "drop/2": 30, "drop/3": 50} {
		if err := bucket.WriteAll(ctx, key, make([]byte, size), nil); err != nil {
			log.Fatal(err)
		}
	}
	sub, err := bucket.Subscribe("drop/", nil)
	if err != nil {
		log.Fatal(err)
	}
	var q storage.Queue // persisted by the caller between steps
	if _, err := sub.Refresh(ctx, &q); err != nil {
		log.Fatal(err)
	}
	// The smallest key-ordered run of UNCONSUMED files reaching 60 bytes.
	for _, e := range q.Reserve("batch-1", 60) {
		fmt.Println(e.Key, e.Size, e.State)
	}
	q.Release("batch-1") // the task failed: back to UNCONSUMED
	q.Reserve("batch-2", 100)
	batch := q.Assign("batch-2", "run-7") // the task that handles it starts
	fmt.Println(len(batch), q.Stats())
	q.Consume("batch-2") // the task succeeded
	fmt.Println(q.Stats())
	// Output:
	// drop/1 40 RESERVED
	// drop/2 30 RESERVED
	// 3 [{UNCONSUMED 0 0} {RESERVED 0 0} {ASSIGNED 3 120} {CONSUMED 0 0}]
	// [{UNCONSUMED 0 0} {RESERVED 0 0} {ASSIGNED 0 0} {CONSUMED 3 120}]
}

func ExampleBucket_Sweep() {
	ctx := context.Background()
	bucket, err := storage.Open(ctx, "mem://")
	if err != nil {
		log.Fatal(err)
	}
	defer bucket.Close()
	for _, k := range []string{"etl/run-1/extract/data.csv", "etl/run-2/extract/data.csv"} {
		if err := bucket.WriteAll(ctx, k, []byte("id\n1\n"), nil); err != nil {
			log.Fatal(err)
		}
	}
	rep, err := bucket.Sweep(ctx, "etl/", &storage.SweepOptions{
		DryRun: true,
		RunStatus: func(_ context.Context, dag, run string) (storage.RunStatus, error) {
			if run == "run-1" {
				return storage.RunFinished, nil
			}
			return storage.RunActive, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Count, rep.Bytes, rep.Deleted[0].Key, rep.DryRun)
	// Output:
	// 1 5 etl/run-1/extract/data.csv true
}
