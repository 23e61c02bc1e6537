package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/canonical/go-dqlite/client"
	"github.com/ghodss/yaml"
)

// go-dqlite 1.11 keeps the cluster's nodes in cluster.yaml, refreshed from
// the leader; seen here, a leader just elected answered with one node of no
// address, and a node restarted on such a file can find no one and never
// becomes ready. emf-node keeps its own list of the peers it has seen with
// addresses (emf-node.peers), and puts them back into cluster.yaml before
// each start.
const peersFile = "emf-node.peers"

func readNodes(path string) []client.NodeInfo {
	var nodes []client.NodeInfo
	if data, err := os.ReadFile(path); err == nil {
		yaml.Unmarshal(data, &nodes)
	}
	return nodes
}

// withAddresses drops the nodes that have no address.
func withAddresses(nodes []client.NodeInfo) []client.NodeInfo {
	var kept []client.NodeInfo
	for _, node := range nodes {
		if node.Address != "" {
			kept = append(kept, node)
		}
	}
	return kept
}

// restorePeers rewrites cluster.yaml without nodes of no address, adding
// the peers emf-node saw last. A node's first start (no cluster.yaml) is
// left to go-dqlite.
func restorePeers(dataDir string) error {
	path := filepath.Join(dataDir, "cluster.yaml")
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	nodes := withAddresses(readNodes(path))
	for _, peer := range readNodes(filepath.Join(dataDir, peersFile)) {
		known := false
		for _, node := range nodes {
			known = known || node.Address == peer.Address
		}
		if !known {
			nodes = append(nodes, peer)
		}
	}
	store, err := client.NewYamlNodeStore(path)
	if err != nil {
		// The file does not parse: written again from the peers alone.
		os.Remove(path)
		if store, err = client.NewYamlNodeStore(path); err != nil {
			return err
		}
	}
	return store.Set(context.Background(), nodes)
}

// savePeers keeps `nodes` as the peers when every one has an address.
func savePeers(dataDir string, nodes []client.NodeInfo) {
	if len(nodes) == 0 || len(withAddresses(nodes)) != len(nodes) {
		return
	}
	store, err := client.NewYamlNodeStore(filepath.Join(dataDir, peersFile))
	if err == nil {
		store.Set(context.Background(), nodes)
	}
}
