package sqlstore_test

// This file starts a throwaway PostgreSQL server for the tests.
//
// With PAYKIT_TEST_DATABASE_URL set, the tests use that database instead
// (each test makes its own tables there). Otherwise they look for the
// server binaries (Debian's postgresql package: /usr/lib/postgresql/<ver>/bin,
// or initdb and pg_ctl on PATH), create a data directory under the system
// temp directory, start the server on 127.0.0.1 on a free port with its
// unix socket in that directory, and stop it and remove the directory when
// the tests end. Running as root, the server runs as the "postgres" OS user
// through runuser, since PostgreSQL refuses to run as root.
//
// Without PostgreSQL the tests that need it skip, unless
// PAYKIT_TEST_REQUIRE_POSTGRES=1 is set (CI), in which case they fail.

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver (tests only)
)

const (
	envURL     = "PAYKIT_TEST_DATABASE_URL"
	envRequire = "PAYKIT_TEST_REQUIRE_POSTGRES"
)

var pg struct {
	once sync.Once
	url  string // set when a database is available
	skip string // why the tests skip
	err  error  // the server was found but could not be started
	stop func()
}

func TestMain(m *testing.M) {
	// Stop the server also when the run is interrupted.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		stopPostgres()
		os.Exit(1)
	}()
	code := m.Run()
	stopPostgres()
	os.Exit(code)
}

var stopOnce sync.Once

func stopPostgres() {
	stopOnce.Do(func() {
		if pg.stop != nil {
			pg.stop()
		}
	})
}

// databaseURL returns the URL of the test database, starting the server
// on first use, or skips (or fails) t when there is none.
func databaseURL(tb testing.TB) string {
	tb.Helper()
	pg.once.Do(startPostgres)
	switch {
	case pg.err != nil:
		tb.Fatalf("PostgreSQL: %v", pg.err)
	case pg.skip != "" && os.Getenv(envRequire) == "1":
		tb.Fatalf("PostgreSQL required (%s=1) but unavailable: %s", envRequire, pg.skip)
	case pg.skip != "":
		tb.Skip("skipping: " + pg.skip)
	}
	return pg.url
}

var dbSeq atomic.Int64

// openDB opens a pool on the test database with at most maxConns
// connections, closed when the test ends.
func openDB(tb testing.TB, maxConns int) *sql.DB {
	tb.Helper()
	return openURL(tb, databaseURL(tb), maxConns)
}

// openDBNamed is openDB with the sessions' application_name set to name,
// so that a test can find (and terminate) that pool's sessions.
func openDBNamed(tb testing.TB, maxConns int, name string) *sql.DB {
	tb.Helper()
	return openURL(tb, withParam(databaseURL(tb), "application_name", name), maxConns)
}

// withParam adds a query parameter to a database URL.
func withParam(dsn, key, value string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// openURL opens a pool on dsn with at most maxConns connections, closed
// when the test ends.
func openURL(tb testing.TB, dsn string, maxConns int) *sql.DB {
	tb.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	tb.Cleanup(func() { db.Close() })
	return db
}

// tableName returns a table name no other test uses.
func tableName() string {
	return fmt.Sprintf("idem_%d_%d", os.Getpid(), dbSeq.Add(1))
}

func startPostgres() {
	if u := os.Getenv(envURL); u != "" {
		pg.url = u
		return
	}
	bin := findPostgres()
	if bin == "" {
		pg.skip = "PostgreSQL server binaries not found (install Debian's postgresql package, " +
			"or set " + envURL + " to a database the tests may create tables in)"
		return
	}
	run, owner, err := runAs()
	if err != nil {
		pg.skip = err.Error()
		return
	}
	dir, err := os.MkdirTemp("", "paykit-pg-")
	if err != nil {
		pg.err = err
		return
	}
	cleanup := func() { os.RemoveAll(dir) }
	if owner != nil {
		if err := os.Chown(dir, owner.uid, owner.gid); err != nil {
			cleanup()
			pg.err = err
			return
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := run(dir, filepath.Join(bin, "initdb"), "-D", data, "-U", "paykit",
		"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		cleanup()
		pg.err = fmt.Errorf("initdb: %v\n%s", err, out)
		return
	}
	pgctl := filepath.Join(bin, "pg_ctl")
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			lastErr = err
			continue
		}
		opts := strings.Join([]string{
			"-h 127.0.0.1", "-p " + strconv.Itoa(port), "-k " + dir,
			"-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
			"-c max_connections=200",
		}, " ")
		out, err := run(dir, pgctl, "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			lastErr = fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, tail(log, 2000))
			continue
		}
		pg.url = fmt.Sprintf("postgres://paykit@127.0.0.1:%d/postgres?sslmode=disable", port)
		pg.stop = func() {
			_, _ = run(dir, pgctl, "-D", data, "-m", "immediate", "-w", "stop")
			cleanup()
		}
		return
	}
	cleanup()
	pg.err = lastErr
}

// findPostgres returns the directory holding initdb and pg_ctl, preferring
// the newest Debian version directory, or "".
func findPostgres() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if isExec(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	return ""
}

func version(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

type osUser struct{ uid, gid int }

// runAs returns how to run the server's programs: directly, or as the
// postgres user when the tests run as root.
func runAs() (func(dir, name string, args ...string) ([]byte, error), *osUser, error) {
	direct := func(dir, name string, args ...string) ([]byte, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		return cmd.CombinedOutput()
	}
	if os.Geteuid() != 0 {
		return direct, nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, nil, errors.New("running as root and there is no \"postgres\" OS user to run PostgreSQL as")
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		return nil, nil, errors.New("running as root and runuser is not available to run PostgreSQL as \"postgres\"")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	as := func(dir, name string, args ...string) ([]byte, error) {
		return direct(dir, runuser, append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return as, &osUser{uid, gid}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return bytes.TrimSpace(b)
}
