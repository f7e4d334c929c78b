// Command temporaldev runs Temporal's own server in one process, with SQLite
// persistence in memory, for datafactory's tests and demos. It is the
// development server of issue 18: the real server (go.temporal.io/server),
// not a stand-in, configured like Temporal CLI's "server start-dev".
//
//	go run . --addr 127.0.0.1:7233 --namespace default
//
// It serves until SIGINT or SIGTERM. State lives in memory and is lost on
// exit. This is its own Go module so datafactory's go.mod does not carry
// the server's dependencies.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const clusterName = "active"

func main() {
	addr := flag.String("addr", "127.0.0.1:7233", "frontend gRPC address (host:port)")
	namespaces := flag.String("namespace", "default", "comma-separated namespaces to create")
	level := flag.String("log-level", "warn", "server log level (debug, info, warn, error)")
	flag.Parse()
	if err := run(*addr, strings.Split(*namespaces, ","), *level); err != nil {
		fmt.Fprintln(os.Stderr, "temporaldev:", err)
		os.Exit(1)
	}
}

func run(addr string, namespaces []string, level string) error {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return fmt.Errorf("--addr port: %w", err)
	}
	conf, err := serverConfig(host, port, namespaces)
	if err != nil {
		return err
	}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, svc := range conf.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	dyn := dynamicconfig.StaticClient{
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
	server, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(log.NewZapLogger(log.BuildZapLogger(log.Config{Level: level, Format: "console"}))),
		temporal.WithDynamicConfigClient(dyn),
	)
	if err != nil {
		return fmt.Errorf("new server: %w", err)
	}
	if err := server.Start(); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	fmt.Printf("temporaldev: serving %s (namespaces %s)\n", addr, strings.Join(namespaces, ","))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	return server.Stop()
}

// serverConfig is the single-process configuration: one history shard,
// SQLite in shared-cache memory for both the default and visibility stores,
// the frontend on the given port and the other services on free ports.
func serverConfig(host string, port int, namespaces []string) (*config.Config, error) {
	sql := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      "temporaldev" + strconv.Itoa(rand.IntN(1e7)),
		ConnectAttributes: map[string]string{"mode": "memory", "cache": "shared"},
	}
	var nsConfs []*sqliteschema.NamespaceConfig
	for _, ns := range namespaces {
		c, err := sqliteschema.NewNamespaceConfig(clusterName, ns, false, nil)
		if err != nil {
			return nil, fmt.Errorf("namespace %s: %w", ns, err)
		}
		nsConfs = append(nsConfs, c)
	}
	if err := sqliteschema.CreateNamespaces(sql, nsConfs...); err != nil {
		return nil, fmt.Errorf("create namespaces: %w", err)
	}
	httpPort, err := freePort(host)
	if err != nil {
		return nil, err
	}
	frontend := net.JoinHostPort(host, strconv.Itoa(port))
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30e9
	conf.Global.Membership.BroadcastAddress = host
	conf.Persistence.DefaultStore = "sqlite"
	conf.Persistence.VisibilityStore = "sqlite"
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite": {SQL: sql}}
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{clusterName: {
			Enabled:                true,
			InitialFailoverVersion: 1,
			RPCAddress:             frontend,
			HTTPAddress:            net.JoinHostPort(host, strconv.Itoa(httpPort)),
			ClusterID:              "datafactory-dev",
		}},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for _, name := range []string{"frontend", "history", "matching", "worker"} {
		var svc config.Service
		svc.RPC.BindOnIP = host
		if name == "frontend" {
			svc.RPC.GRPCPort = port
			svc.RPC.HTTPPort = httpPort
		} else if svc.RPC.GRPCPort, err = freePort(host); err != nil {
			return nil, err
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend
	return &conf, nil
}

// freePort asks the kernel for a port that is free now on host.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
