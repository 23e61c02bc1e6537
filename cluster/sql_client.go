package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/canonical/go-dqlite/client"
	dqlite "github.com/canonical/go-dqlite/driver"
)

// Exit codes of `emf-node sql`.
const (
	exitRefused  = 1 // the statement failed: SQLite's or emf's error
	exitUsage    = 2
	exitNoLeader = 3 // no leader answered within --timeout
	exitUnknown  = 4 // the commit was sent and its outcome is not known
)

// A failure before anything could have been applied: another leader may
// take the statement.
func retryable(err error) bool {
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, dqlite.ErrNoAvailableLeader) ||
		errors.Is(err, context.DeadlineExceeded)
}

type rowPrinter struct{ out *json.Encoder }

// print writes each row as one JSON array, the values as dqlite gives them.
func (p rowPrinter) print(rows *sql.Rows) error {
	columns, err := rows.Columns()
	if err != nil {
		return err
	}
	var lines [][]interface{}
	for rows.Next() {
		values := make([]interface{}, len(columns))
		pointers := make([]interface{}, len(columns))
		for i := range values {
			pointers[i] = &values[i]
		}
		if err := rows.Scan(pointers...); err != nil {
			return err
		}
		for i, value := range values {
			if bytes, ok := value.([]byte); ok {
				values[i] = string(bytes)
			}
		}
		lines = append(lines, values)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// Printed only once every row was read: a retried statement never
	// prints half an answer twice.
	for _, line := range lines {
		if err := p.out.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

// runWrite runs `statement` inside BEGIN ... COMMIT. dqlite replicates the
// pages a request changes only when they are committed by an exec request
// (COMMIT here): a statement that writes, sent alone as a query, would
// leave its pages unreplicated on the leader.
//
// dqlite answers a query request for a statement that returns no rows (an
// INSERT, say) with the odd error "not an error": such a statement is rolled
// back and sent again as an exec request, in a transaction of its own.
func runWrite(ctx context.Context, db *sql.DB, statement string, printer rowPrinter) (bool, error) {
	committing, err := runWriteAs(ctx, db, statement, printer, true)
	if err != nil && !committing && err.Error() == "not an error" {
		return runWriteAs(ctx, db, statement, printer, false)
	}
	return committing, err
}

func runWriteAs(ctx context.Context, db *sql.DB, statement string, printer rowPrinter, query bool) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	if !query {
		if _, err := tx.ExecContext(ctx, statement); err != nil {
			tx.Rollback()
			return false, err
		}
		if err := tx.Commit(); err != nil {
			return true, err
		}
		return false, nil
	}
	rows, err := tx.QueryContext(ctx, statement)
	if err != nil {
		tx.Rollback()
		return false, err
	}
	var buffered [][]interface{}
	capture := rowPrinter{out: json.NewEncoder(&lineCollector{lines: &buffered})}
	if err := capture.print(rows); err != nil {
		rows.Close()
		tx.Rollback()
		return false, err
	}
	rows.Close()
	if err := tx.Commit(); err != nil {
		return true, err
	}
	for _, line := range buffered {
		printer.out.Encode(line)
	}
	return false, nil
}

// lineCollector keeps what an encoder writes, decoded again, until the
// commit succeeded.
type lineCollector struct{ lines *[][]interface{} }

func (c *lineCollector) Write(data []byte) (int, error) {
	var line []interface{}
	if err := json.Unmarshal(data, &line); err != nil {
		return 0, err
	}
	*c.lines = append(*c.lines, line)
	return len(data), nil
}

func sqlClient(arguments []string) int {
	flags := flag.NewFlagSet("emf-node sql", flag.ContinueOnError)
	var cluster addresses
	flags.Var(&cluster, "cluster", "ADDRESS of a node, repeatable or comma-separated (required)")
	database := flags.String("database", "", "the dqlite database, e.g. trends (required)")
	write := flags.Bool("write", false, "the statement writes: run it inside BEGIN ... COMMIT")
	timeout := flags.Duration("timeout", time.Minute, "how long to wait for a leader, across leader changes")
	if err := flags.Parse(arguments); err != nil {
		return exitUsage
	}
	if len(cluster) == 0 || *database == "" || flags.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "emf-node sql: --cluster and --database are required, and one SQL statement")
		flags.Usage()
		return exitUsage
	}
	statement := flags.Arg(0)
	connector, err := dqlite.New(clusterStore(cluster), dqlite.WithLogFunc(func(client.LogLevel, string, ...interface{}) {}))
	if err != nil {
		fmt.Fprintf(os.Stderr, "emf-node sql: %v\n", err)
		return exitUsage
	}
	sql.Register("emf-dqlite", connector)
	db, err := sql.Open("emf-dqlite", *database)
	if err != nil {
		fmt.Fprintf(os.Stderr, "emf-node sql: %v\n", err)
		return exitUsage
	}
	defer db.Close()

	printer := rowPrinter{out: json.NewEncoder(os.Stdout)}
	deadline := time.Now().Add(*timeout)
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		var committing bool
		if *write {
			committing, err = runWrite(ctx, db, statement, printer)
		} else {
			var rows *sql.Rows
			rows, err = db.QueryContext(ctx, statement)
			if err == nil {
				err = printer.print(rows)
				rows.Close()
			}
		}
		cancel()
		if err == nil {
			return 0
		}
		if committing {
			fmt.Fprintf(os.Stderr, "emf-node sql: the commit's outcome is not known (%v): read the database before trying again\n", err)
			return exitUnknown
		}
		if !retryable(err) {
			fmt.Fprintf(os.Stderr, "emf-node sql: %v\n", explained(db, statement, err))
			return exitRefused
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "emf-node sql: no leader answered within %s: %v\n", *timeout, err)
			return exitNoLeader
		}
		db.SetMaxIdleConns(0) // a fresh connection finds the new leader
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
}

// explained is the error of a failed statement as SQLite worded it. dqlite
// 1.11 answers a query that fails while it runs (a function's error, say)
// with the statement's column name instead of SQLite's message; an exec
// request is answered with the message. So the statement runs once more as
// an exec, inside a transaction that is rolled back whatever happens, and
// its error is the one reported.
func explained(db *sql.DB, statement string, err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tx, beginErr := db.BeginTx(ctx, nil)
	if beginErr != nil {
		return err
	}
	defer tx.Rollback()
	if _, execErr := tx.ExecContext(ctx, statement); execErr != nil && execErr.Error() != "not an error" {
		return execErr
	}
	return err
}
