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
	"sync/atomic"
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

// A failure before COMMIT that is not SQLite's own error (a lost
// connection, a leader that died or stepped down, none elected yet):
// nothing was applied, and another leader may take the statement.
func retryable(err error) bool {
	var sqliteError dqlite.Error
	return !errors.As(err, &sqliteError) || errors.Is(err, driver.ErrBadConn)
}

// committing is set while a COMMIT is on its way: the watchdog then says
// that the outcome is not known.
var committing atomic.Bool

// watchdog ends the program when a request gets no answer at all (a leader
// frozen or cut off answers nothing, and go-dqlite sets no deadline on
// COMMIT).
func watchdog(after time.Duration) {
	time.AfterFunc(after, func() {
		if committing.Load() {
			fmt.Fprintf(os.Stderr, "emf-node sql: no answer to COMMIT within %s: its outcome is not known; read the database before trying again\n", after)
			os.Exit(exitUnknown)
		}
		fmt.Fprintf(os.Stderr, "emf-node sql: no answer within %s\n", after)
		os.Exit(exitNoLeader)
	})
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
func runWrite(ctx context.Context, db *sql.DB, statement string, printer rowPrinter, foreignKeysOff bool) (bool, error) {
	committing, err := runWriteAs(ctx, db, statement, printer, true, foreignKeysOff)
	if err != nil && !committing && err.Error() == "not an error" {
		return runWriteAs(ctx, db, statement, printer, false, foreignKeysOff)
	}
	return committing, err
}

func runWriteAs(ctx context.Context, db *sql.DB, statement string, printer rowPrinter, query bool, foreignKeysOff bool) (bool, error) {
	// One connection for the pragma and the transaction: SQLite ignores
	// PRAGMA foreign_keys inside a transaction.
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if foreignKeysOff {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return false, err
		}
		// The connection goes back to the pool as it came.
		defer conn.ExecContext(context.Background(), "PRAGMA foreign_keys = ON")
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	if !query {
		if _, err := tx.ExecContext(ctx, statement); err != nil {
			tx.Rollback()
			return false, err
		}
		committing.Store(true)
		if err := tx.Commit(); err != nil {
			return true, err
		}
		committing.Store(false)
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
	committing.Store(true)
	if err := tx.Commit(); err != nil {
		return true, err
	}
	committing.Store(false)
	for _, line := range buffered {
		printer.out.Encode(line)
	}
	return false, nil
}

// runRead runs `statement` inside BEGIN ... ROLLBACK: a statement that
// writes, sent without --write, changes nothing (sent alone as a query, its
// change would stay on the leader unreplicated, and dqlite 1.11's leader
// would abort on its next request) and is refused.
func runRead(ctx context.Context, db *sql.DB, statement string, printer rowPrinter) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	changes := func() (int64, error) {
		var count int64
		return count, tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&count)
	}
	before, err := changes()
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, statement)
	if err != nil {
		return err
	}
	var buffered [][]interface{}
	capture := rowPrinter{out: json.NewEncoder(&lineCollector{lines: &buffered})}
	err = capture.print(rows)
	rows.Close()
	if err != nil {
		return err
	}
	after, err := changes()
	if err != nil {
		return err
	}
	if after != before {
		return errWritesWithoutFlag
	}
	for _, line := range buffered {
		printer.out.Encode(line)
	}
	return nil
}

var errWritesWithoutFlag = errors.New("the statement writes: run it with --write (nothing was changed)")

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
	foreignKeysOff := flags.Bool("foreign-keys-off", false,
		"with --write: PRAGMA foreign_keys = OFF before BEGIN, as emf_init and emf_repair need to rebuild a table inside the transaction (they check the keys themselves)")
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
	// A query request runs only the first statement: several go as one
	// exec request (with --write), which runs them all and prints nothing.
	several := !singleStatement(statement)
	if several && !*write {
		fmt.Fprintln(os.Stderr, "emf-node sql: several statements need --write (a query runs only the first)")
		return exitUsage
	}
	watchdog(*timeout + 30*time.Second)
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
		var unknown bool
		if several {
			unknown, err = runWriteAs(ctx, db, statement, printer, false, *foreignKeysOff)
		} else if *write {
			unknown, err = runWrite(ctx, db, statement, printer, *foreignKeysOff)
		} else {
			err = runRead(ctx, db, statement, printer)
		}
		cancel()
		if err == nil {
			return 0
		}
		if errors.Is(err, errWritesWithoutFlag) {
			fmt.Fprintf(os.Stderr, "emf-node sql: %v\n", err)
			return exitRefused
		}
		if !*write && err.Error() == "not an error" {
			fmt.Fprintln(os.Stderr, "emf-node sql: the statement returns no rows: if it writes, run it with --write (nothing was changed)")
			return exitRefused
		}
		if unknown {
			fmt.Fprintf(os.Stderr, "emf-node sql: the commit's outcome is not known (%v): read the database before trying again\n", err)
			return exitUnknown
		}
		if !retryable(err) {
			fmt.Fprintf(os.Stderr, "emf-node sql: %v\n", explained(db, statement, err))
			return exitRefused
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "emf-node sql: no leader answered, or the statement did not finish, within %s: %v\n", *timeout, err)
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
	// An exec of a statement that returns rows fails with "another row
	// available" once it gets past the first: that is no explanation.
	if _, execErr := tx.ExecContext(ctx, statement); execErr != nil &&
		execErr.Error() != "not an error" && execErr.Error() != "another row available" {
		return execErr
	}
	var sqliteError dqlite.Error
	if errors.As(err, &sqliteError) {
		return fmt.Errorf("the statement failed while it ran; dqlite 1.11 says only %q", err.Error())
	}
	return err
}
