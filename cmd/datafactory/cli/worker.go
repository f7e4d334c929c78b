package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/worker"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
)

// workerFlags are the flags of worker.
type workerFlags struct {
	temporal string
	store    string
	bucket   string
	engine   string
}

func (m *Main) workerCmd() *cobra.Command {
	var f workerFlags
	cmd := &cobra.Command{
		Use:   "worker [SPEC...]",
		Short: "Run pipeline tasks for runs on Temporal",
		Long: `Worker serves a Temporal task queue: it runs the workflows of pipeline runs
started with "datafactory run --executor temporal://…" and the attempts of
their tasks. Start as many workers, on as many machines, as the load needs;
an attempt whose worker dies runs again on another one. It knows the
built-in pipelines and the spec files given as arguments. Every worker and
every client must use the same status store and bucket (--status, --bucket).
It stops on SIGINT or SIGTERM, letting running attempts end.

With --engine NAME it serves only the attempts of the tasks whose type's
engine is NAME (dart's engines), on that engine's own task queue
(<task_queue>.NAME); the workflows and the other tasks need workers
without --engine.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.worker(cmd.Context(), args, &f)
		},
	}
	statusFlag(cmd, &f.store)
	bucketFlag(cmd, &f.bucket)
	cmd.Flags().StringVar(&f.temporal, "temporal", "temporal://127.0.0.1:7233?namespace=default&task_queue=datafactory",
		"Temporal frontend, namespace and task queue")
	cmd.Flags().StringVar(&f.engine, "engine", "", "serve only the attempts of this engine's task types, on its task queue")
	return cmd
}

func (m *Main) worker(ctx context.Context, specs []string, f *workerFlags) error {
	t, err := parseTemporalURL(f.temporal)
	if err != nil {
		return err
	}
	pipelines := map[string]*pipeline.Pipeline{}
	builtins, err := m.builtinPipelines()
	if err != nil {
		return err
	}
	for _, d := range builtins {
		pipelines[d.Pipeline.Name()] = d.Pipeline
	}
	for _, s := range specs {
		sp, err := m.loadSpec(s)
		if err != nil {
			return err
		}
		pipelines[sp.p.Name()] = sp.p
	}
	be, closeBE, err := m.backend(ctx, f.store, f.bucket)
	if err != nil {
		return err
	}
	defer closeBE()
	c, err := t.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	lookup := func(name string) (*pipeline.Pipeline, error) {
		if p, ok := pipelines[name]; ok {
			return p, nil
		}
		return nil, fmt.Errorf("worker: unknown pipeline %q", name)
	}
	queue := t.taskQueue
	if f.engine != "" {
		queue = temporalexec.EngineQueue(queue, f.engine)
	}
	w := worker.New(c, queue, worker.Options{})
	if f.engine == "" {
		temporalexec.Register(w, lookup, &pipeline.RunOptions{Backend: be})
	} else {
		temporalexec.RegisterEngine(w, f.engine, lookup, &pipeline.RunOptions{Backend: be})
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	fmt.Fprintf(m.Stdout, "worker on %s task queue %s (namespace %s)\n", t.hostPort, queue, t.namespace)
	<-ctx.Done()
	w.Stop()
	return nil
}
