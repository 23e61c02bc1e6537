// emf-node: a dqlite node with libemf on every connection, and a client of
// such a cluster (docs/cluster.md).
//
//	emf-node --id NAME --address HOST:PORT --data-dir DIR [--join ADDRESS...]
//	emf-node sql --cluster ADDRESS,... --database NAME [--write] SQL
//	emf-node status --cluster ADDRESS,...
//	emf-node transfer --cluster ADDRESS,... --to ADDRESS
//	emf-node recover --data-dir DIR
package main

import "os"

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "sql":
			os.Exit(sqlClient(os.Args[2:]))
		case "transfer":
			os.Exit(transfer(os.Args[2:]))
		case "status":
			os.Exit(status(os.Args[2:]))
		case "recover":
			os.Exit(recoverAlone(os.Args[2:]))
		}
	}
	os.Exit(serve(os.Args[1:]))
}
