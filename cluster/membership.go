package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	dqlite "github.com/canonical/go-dqlite"
	"github.com/canonical/go-dqlite/client"
	"github.com/ghodss/yaml"
)

func clusterStore(cluster addresses) client.NodeStore {
	store := client.NewInmemNodeStore()
	var nodes []client.NodeInfo
	for _, address := range cluster {
		nodes = append(nodes, client.NodeInfo{Address: address})
	}
	store.Set(context.Background(), nodes)
	return store
}

// transfer makes the node at --to the leader. Raft hands leadership only to
// a node whose log holds every committed entry, so it also waits for that
// node to catch up.
func transfer(arguments []string) int {
	flags := flag.NewFlagSet("emf-node transfer", flag.ContinueOnError)
	var cluster addresses
	flags.Var(&cluster, "cluster", "ADDRESS of a node, repeatable or comma-separated (required)")
	to := flags.String("to", "", "ADDRESS of the node to lead (required)")
	timeout := flags.Duration("timeout", time.Minute, "how long to keep trying")
	if err := flags.Parse(arguments); err != nil {
		return exitUsage
	}
	if len(cluster) == 0 || *to == "" || flags.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "emf-node transfer: --cluster and --to are required")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var err error
	for ctx.Err() == nil {
		if err = transferOnce(ctx, clusterStore(cluster), *to); err == nil {
			fmt.Fprintf(os.Stderr, "emf-node transfer: %s leads\n", *to)
			return 0
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "emf-node transfer: %s does not lead after %s: %v\n", *to, *timeout, err)
	return exitNoLeader
}

func transferOnce(ctx context.Context, store client.NodeStore, to string) error {
	leader, err := client.FindLeader(ctx, store, client.WithLogFunc(func(client.LogLevel, string, ...interface{}) {}))
	if err != nil {
		return err
	}
	defer leader.Close()
	info, err := leader.Leader(ctx)
	if err != nil {
		return err
	}
	if info != nil && info.Address == to {
		return nil
	}
	nodes, err := leader.Cluster(ctx)
	if err != nil {
		return err
	}
	for _, node := range nodes {
		if node.Address == to {
			if err := leader.Transfer(ctx, node.ID); err != nil {
				return err
			}
			return fmt.Errorf("transfer sent; checking")
		}
	}
	return fmt.Errorf("no node at %s in the cluster", to)
}

// recoverAlone makes the stopped node of --data-dir a cluster of one, with
// what its own log holds: the way back when the others are lost for good
// (and the way to prove what one node alone holds).
func recoverAlone(arguments []string) int {
	flags := flag.NewFlagSet("emf-node recover", flag.ContinueOnError)
	dataDir := flags.String("data-dir", "", "folder of the stopped node (required)")
	if err := flags.Parse(arguments); err != nil {
		return exitUsage
	}
	if *dataDir == "" || flags.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "emf-node recover: --data-dir is required")
		return exitUsage
	}
	raw, err := os.ReadFile(filepath.Join(*dataDir, "info.yaml"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "emf-node recover: not a node's folder: %v\n", err)
		return exitRefused
	}
	var self client.NodeInfo
	if err := yaml.Unmarshal(raw, &self); err != nil || self.Address == "" || self.ID == 0 {
		if err == nil {
			err = fmt.Errorf("no address or ID")
		}
		fmt.Fprintf(os.Stderr, "emf-node recover: info.yaml: %v\n", err)
		return exitRefused
	}
	// Only when no member answers: a recovered node beside a live old
	// member would crash, or the two would go on as two clusters.
	members := readNodes(filepath.Join(*dataDir, "cluster.yaml"))
	members = append(members, readNodes(filepath.Join(*dataDir, peersFile))...)
	members = append(members, self)
	for _, member := range members {
		if member.Address == "" {
			continue
		}
		if conn, err := net.DialTimeout("tcp", member.Address, time.Second); err == nil {
			conn.Close()
			fmt.Fprintf(os.Stderr, "emf-node recover: refused: %s answers; recover a node only when every other member is gone for good, and this one is stopped (nothing was changed)\n", member.Address)
			return exitRefused
		}
	}
	self.Role = client.Voter
	if err := dqlite.ReconfigureMembership(*dataDir, []dqlite.NodeInfo{self}); err != nil {
		fmt.Fprintf(os.Stderr, "emf-node recover: %v\n", err)
		return exitRefused
	}
	store, err := client.NewYamlNodeStore(filepath.Join(*dataDir, "cluster.yaml"))
	if err == nil {
		err = store.Set(context.Background(), []client.NodeInfo{self})
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "emf-node recover: cluster.yaml: %v\n", err)
		return exitRefused
	}
	// The peers emf-node kept would be put back into cluster.yaml.
	if err := os.Remove(filepath.Join(*dataDir, peersFile)); err != nil && !os.IsNotExist(err) {
		fmt.Fprintf(os.Stderr, "emf-node recover: %v\n", err)
		return exitRefused
	}
	fmt.Fprintf(os.Stderr, "emf-node recover: %s (%s) is now a cluster of one\n", *dataDir, self.Address)
	return 0
}

// status prints the cluster's nodes, one JSON object a line, the leader's
// with "leader": true.
func status(arguments []string) int {
	flags := flag.NewFlagSet("emf-node status", flag.ContinueOnError)
	var cluster addresses
	flags.Var(&cluster, "cluster", "ADDRESS of a node, repeatable or comma-separated (required)")
	timeout := flags.Duration("timeout", 10*time.Second, "how long to wait for a leader")
	if err := flags.Parse(arguments); err != nil {
		return exitUsage
	}
	if len(cluster) == 0 || flags.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "emf-node status: --cluster is required")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	leader, err := client.FindLeader(ctx, clusterStore(cluster), client.WithLogFunc(func(client.LogLevel, string, ...interface{}) {}))
	if err != nil {
		fmt.Fprintf(os.Stderr, "emf-node status: no leader answered within %s: %v\n", *timeout, err)
		return exitNoLeader
	}
	defer leader.Close()
	info, err := leader.Leader(ctx)
	if err == nil && info == nil {
		err = fmt.Errorf("no leader")
	}
	var nodes []client.NodeInfo
	if err == nil {
		nodes, err = leader.Cluster(ctx)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "emf-node status: %v\n", err)
		return exitNoLeader
	}
	out := json.NewEncoder(os.Stdout)
	for _, node := range nodes {
		out.Encode(map[string]interface{}{
			"id": node.ID, "address": node.Address, "role": node.Role.String(),
			"leader": node.Address == info.Address,
		})
	}
	return 0
}
