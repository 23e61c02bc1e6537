package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/canonical/go-dqlite/app"
	"github.com/canonical/go-dqlite/client"
)

// addresses is a flag given once or more, each a comma-separated list.
type addresses []string

func (a *addresses) String() string { return strings.Join(*a, ",") }

func (a *addresses) Set(value string) error {
	for _, address := range strings.Split(value, ",") {
		if address = strings.TrimSpace(address); address != "" {
			*a = append(*a, address)
		}
	}
	return nil
}

// The node's name, kept in its data folder: a restart under another name
// is a mistake (two nodes' folders swapped), refused before anything opens.
const nameFile = "emf-node.id"

func checkName(dataDir, name string) error {
	path := filepath.Join(dataDir, nameFile)
	kept, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return os.WriteFile(path, []byte(name+"\n"), 0o644)
	}
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(kept)) != name {
		return fmt.Errorf("--data-dir %s belongs to node %q, not %q", dataDir, strings.TrimSpace(string(kept)), name)
	}
	return nil
}

func serve(arguments []string) int {
	flags := flag.NewFlagSet("emf-node", flag.ContinueOnError)
	name := flags.String("id", "", "this node's name, kept in its data folder (required)")
	address := flags.String("address", "", "HOST:PORT this node listens on (required on the first start)")
	dataDir := flags.String("data-dir", "", "folder of this node's Raft log and snapshots (required)")
	extension := flags.String("extension", "", "path of libemf.so (default: beside emf-node, else the build's)")
	var join addresses
	flags.Var(&join, "join", "ADDRESS of a node of the cluster to join, repeatable or comma-separated; only on the first start")
	if err := flags.Parse(arguments); err != nil {
		return 2
	}
	if *name == "" || *dataDir == "" || flags.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "emf-node: --id and --data-dir are required, and nothing else")
		flags.Usage()
		return 2
	}
	logf := func(format string, values ...interface{}) {
		fmt.Fprintf(os.Stderr, "emf-node %s: %s\n", *name, fmt.Sprintf(format, values...))
	}
	if err := registerExtension(extensionPath(*extension)); err != nil {
		logf("%v", err)
		return 1
	}
	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		logf("cannot create --data-dir: %v", err)
		return 1
	}
	if err := checkName(*dataDir, *name); err != nil {
		logf("%v", err)
		return 1
	}
	if err := restorePeers(*dataDir); err != nil {
		logf("cannot restore the peers in cluster.yaml: %v", err)
		return 1
	}
	options := []app.Option{
		app.WithCluster(join),
		// go-dqlite's own lines: warnings and errors only.
		app.WithLogFunc(func(level client.LogLevel, format string, values ...interface{}) {
			if level >= client.LogWarn {
				logf("dqlite: %s", fmt.Sprintf(format, values...))
			}
		}),
	}
	if *address != "" {
		options = append(options, app.WithAddress(*address))
	}
	node, err := app.New(*dataDir, options...)
	if err != nil {
		logf("cannot start: %v", err)
		return 1
	}
	logf("started at %s (data in %s)", node.Address(), *dataDir)

	// A signal while the node starts stops it as cleanly as later.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready, readyCancel := context.WithTimeout(ctx, time.Minute)
	go func() {
		select {
		case received := <-stop:
			stop <- received
			readyCancel()
		case <-ready.Done():
		}
	}()
	if err := node.Ready(ready); err != nil {
		readyCancel()
		select {
		case received := <-stop:
			logf("%s before it was ready: stopping", received)
			node.Close()
			logf("stopped")
			return 0
		default:
		}
		logf("not ready within a minute: %v", err)
		node.Close()
		return 1
	}
	readyCancel()
	logf("ready")
	go watchRole(ctx, node, *dataDir, logf)

	received := <-stop
	cancel()
	logf("%s: handing over", received)
	handover, handoverCancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer handoverCancel()
	if err := node.Handover(handover); err != nil {
		logf("handover failed: %v", err)
	}
	if err := node.Close(); err != nil {
		logf("close failed: %v", err)
		return 1
	}
	logf("stopped")
	return 0
}

// watchRole logs a line whenever this node becomes the leader, a
// follower of another, or sees no leader.
// It also keeps the peers it sees (peers.go).
func watchRole(ctx context.Context, node *app.App, dataDir string, logf func(string, ...interface{})) {
	state, peers := "", ""
	for round := 0; ctx.Err() == nil; round++ {
		if round%8 == 0 {
			peers = keepPeers(ctx, node, dataDir, peers)
		}
		now := "no leader"
		ask, cancel := context.WithTimeout(ctx, time.Second)
		if local, err := node.Client(ask); err == nil {
			if leader, err := local.Leader(ask); err == nil && leader != nil && leader.Address != "" {
				if leader.Address == node.Address() {
					now = "leader"
				} else {
					now = "follower of " + leader.Address
				}
			}
			local.Close()
		}
		cancel()
		if now != state && ctx.Err() == nil {
			logf("%s", now)
			state = now
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// keepPeers saves the cluster's nodes, as the leader lists them, when they
// differ from `saved`; what it saved.
func keepPeers(ctx context.Context, node *app.App, dataDir string, saved string) string {
	ask, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	leader, err := node.Leader(ask)
	if err != nil {
		return saved
	}
	defer leader.Close()
	nodes, err := leader.Cluster(ask)
	if err != nil {
		return saved
	}
	now := fmt.Sprint(nodes)
	if now != saved {
		savePeers(dataDir, nodes)
	}
	return now
}
