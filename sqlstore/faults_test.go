package sqlstore_test

// Fault injection: 500 payments delivered at once across four replicas of
// the real playvision Handler, while one replica's process is killed,
// while the database server is killed with SIGKILL, while the network to
// it is cut, or while hooks outlive their lease. The simulated provider then retries every delivery that was not
// answered with success until it is, and every payment is delivered once
// more to check that the stored bytes come back. The figures are in the
// package documentation.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
	"github.com/paykit-go/paykit/sqlstore"
)

const (
	faultAppID  = 4343
	faultSecret = "fault-test-secret"
	faultBase   = 700000 // transaction id of event 0
	faultRounds = 10     // retry rounds of the simulated provider
)

// faultEvents is how many payments a fault run delivers.
func faultEvents() int {
	if testing.Short() {
		return 100
	}
	return 500
}

// faultConfig describes one run.
type faultConfig struct {
	opts      sqlstore.Options
	dsn       string        // where the replicas' pools connect
	adminDSN  func() string // where the test reads the results
	trigger   int           // hook runs before the fault
	fault     func(t *testing.T)
	recover   func(t *testing.T)
	hangEvery int  // every hangEvery-th event's hook outlives its lease (0: none)
	killApp   bool // the fault is replica 0's process being killed
}

// faultResult is what a run measured.
type faultResult struct {
	events, deliveries, retries int
	replays                     int // events delivered again at the end
	once, twice, more, lost     int // credits per event
	duplicates                  int // credits beyond the first
	externalDup                 int // hook completions beyond the first (an effect outside the database)
}

func (r faultResult) String() string {
	return fmt.Sprintf("%d events, %d deliveries (%d retries, %d replays): credited once %d, twice %d, more %d, lost %d; duplicate credits %d; duplicate external effects %d",
		r.events, r.deliveries, r.retries, r.replays, r.once, r.twice, r.more, r.lost, r.duplicates, r.externalDup)
}

// faultReplica is one replica: a playvision Handler on its own pool and Store.
type faultReplica struct {
	h  http.Handler
	db *sql.DB
}

// faultRun is the state shared by the hooks of one run.
type faultRun struct {
	cfg       faultConfig
	table     string
	credits   string
	runs      atomic.Int64
	completed []atomic.Int32 // hook completions per event
	hung      []atomic.Bool  // the event's first hook outlived its lease
	fired     chan struct{}
	fireOnce  sync.Once
	replicas  []faultReplica
	success   []byte
	later     []byte       // the "try again later" answer
	odd       atomic.Int64 // answers that were neither
	signer    playvisiontest.Signer
	admin     func() *sql.DB

	// Replica 0's process being killed (cfg.killApp): after crashed is
	// closed its hooks stop right after their effect and its answers never
	// arrive; zombies counts its goroutines, which end when the test does.
	crashed chan struct{}
	dead    <-chan struct{} // closed when the test ends
	killer  *sql.DB         // ends the killed replica's sessions
	zombies sync.WaitGroup
}

// die is what remains of a hook of the killed replica: its sessions end
// (also one its pool opened after the kill), and it never resumes.
func (r *faultRun) die(t *testing.T) error {
	_, err := r.killer.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fault-0'`)
	assert.NoError(t, err)
	<-r.dead
	return errors.New("the process is gone")
}

// isCrashed reports whether replica's process has been killed.
func (r *faultRun) isCrashed(replica int) bool {
	if !r.cfg.killApp || replica != 0 {
		return false
	}
	select {
	case <-r.crashed:
		return true
	default:
		return false
	}
}

func newFaultRun(t *testing.T, cfg faultConfig) *faultRun {
	n := faultEvents()
	r := &faultRun{
		cfg: cfg, table: tableName(), completed: make([]atomic.Int32, n), hung: make([]atomic.Bool, n),
		fired: make(chan struct{}), success: playvision.SuccessReply(),
		later:  playvision.FailureReply(playvision.MessageTemporary),
		signer: playvisiontest.Signer{Secret: faultSecret},
	}
	r.credits = "credits_" + r.table
	r.crashed = make(chan struct{})
	admin := openURL(t, cfg.adminDSN(), 4)
	r.killer = admin
	_, err := admin.Exec(`CREATE TABLE ` + r.credits + ` (order_id text NOT NULL, replica int NOT NULL)`)
	require.NoError(t, err)
	r.cfg.opts.Table = r.table
	for i := 0; i < 4; i++ {
		db := openURL(t, withParam(cfg.dsn, "application_name", fmt.Sprintf("fault-%d", i)), 16)
		s, err := sqlstore.New(db, r.cfg.opts)
		require.NoError(t, err)
		require.NoError(t, s.Migrate(context.Background()))
		client, err := playvision.New(playvision.Config{AppID: faultAppID, Secret: faultSecret})
		require.NoError(t, err)
		r.replicas = append(r.replicas, faultReplica{db: db, h: client.Handler(paykit.Hooks{
			Store: s,
			Event: r.hook(t, db, i),
		})})
	}
	// Registered after the pools, so run before they close: a killed
	// process never resumes; its goroutines end, without effects, here.
	dead := make(chan struct{})
	r.dead = dead
	t.Cleanup(func() {
		close(dead)
		r.zombies.Wait()
	})
	return r
}

// hook credits the payment (in the claim's transaction when there is one,
// else through the pool), and counts its completions as an effect outside
// the database would happen. It fires the fault after cfg.trigger runs.
func (r *faultRun) hook(t *testing.T, db *sql.DB, replica int) func(context.Context, paykit.Notification) error {
	return func(ctx context.Context, n paykit.Notification) error {
		id := n.Summary().ID
		ev, err := strconv.Atoi(id)
		if err != nil || ev < faultBase || ev >= faultBase+len(r.completed) {
			return fmt.Errorf("unexpected payment %q", id)
		}
		ev -= faultBase
		if r.runs.Add(1) == int64(r.cfg.trigger) {
			r.fireOnce.Do(func() { close(r.fired) })
		}
		if r.cfg.hangEvery > 0 && ev%r.cfg.hangEvery == 0 && r.hung[ev].CompareAndSwap(false, true) {
			return r.outliveLease(t, ctx, db, ev, replica)
		}
		if r.isCrashed(replica) {
			return r.die(t)
		}
		if err := r.credit(ctx, db, id, replica); err != nil {
			return err
		}
		r.completed[ev].Add(1)
		if r.isCrashed(replica) { // killed right after its effect
			return r.die(t)
		}
		return nil
	}
}

func (r *faultRun) credit(ctx context.Context, db *sql.DB, id string, replica int) error {
	q := `INSERT INTO ` + r.credits + ` (order_id, replica) VALUES ($1, $2)`
	var err error
	if tx, ok := sqlstore.Tx(ctx); ok {
		_, err = tx.ExecContext(ctx, q, id, replica)
	} else {
		_, err = db.ExecContext(ctx, q, id, replica)
	}
	if err != nil {
		return paykit.Temporary(err) // the database is away: the provider retries
	}
	return nil
}

// outliveLease is a hook that is still running when its lease ends: the
// provider times out and delivers again (to the next replica), and only
// once that retry has been answered does this hook do its work, ignoring
// its context, as a hook stuck on a slow remote call would.
func (r *faultRun) outliveLease(t *testing.T, ctx context.Context, db *sql.DB, ev, replica int) error {
	<-ctx.Done() // the lease ended
	// The database's view of the lease: end it too (its clock started a
	// moment after ours).
	_, err := r.admin().Exec(`UPDATE ` + r.table + ` SET lease_until = clock_timestamp() WHERE state = 'running' AND lease_until > clock_timestamp()`)
	assert.NoError(t, err)
	if ok, _ := r.deliverOnce(ev, replica+1); !ok {
		t.Errorf("event %d: the provider's retry while the first hook hung was not answered with success", ev)
	}
	r.completed[ev].Add(1) // the effect outside the database happens now
	return r.credit(context.WithoutCancel(ctx), db, strconv.Itoa(faultBase+ev), replica)
}

// deliverOnce sends event ev to replica (mod 4) and reports whether it was
// answered with the success bytes.
func (r *faultRun) deliverOnce(ev, replica int) (ok bool, body []byte) {
	payment := playvisiontest.OrderStatusChange{
		UserID: int64(1000 + ev), TransactionID: int64(faultBase + ev), Sum: 150, ItemID: "gold-150",
	}.Params()
	w := httptest.NewRecorder()
	replica %= len(r.replicas)
	if r.isCrashed(replica) {
		replica = 1 + ev%(len(r.replicas)-1) // the load balancer stops sending to it
	}
	req := r.signer.NewRequest("/playvision", payment)
	if r.cfg.killApp && replica == 0 {
		// Its answer arrives only if it is sent before the process dies.
		done := make(chan struct{})
		r.zombies.Add(1)
		go func() {
			defer r.zombies.Done()
			defer close(done)
			r.replicas[0].h.ServeHTTP(w, req)
		}()
		select {
		case <-done:
		case <-r.crashed:
			return false, nil
		}
	} else {
		r.replicas[replica].h.ServeHTTP(w, req)
	}
	ok = w.Code == http.StatusOK && bytes.Equal(w.Body.Bytes(), r.success)
	if !ok && (w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), r.later)) {
		r.odd.Add(1) // neither the stored reply nor "try again later"
	}
	return ok, w.Body.Bytes()
}

// deliverAll delivers the events in evs at once, each to replica ev+shift,
// and returns those not answered with success.
func (r *faultRun) deliverAll(evs []int, shift int) (failed []int) {
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, ev := range evs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := r.deliverOnce(ev, ev+shift); !ok {
				mu.Lock()
				failed = append(failed, ev)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return failed
}

// runFaults delivers every event at once, injects the fault after
// cfg.trigger hook runs, recovers once every first delivery has been
// answered, and retries like a provider until every event is answered.
func runFaults(t *testing.T, cfg faultConfig) faultResult {
	r := newFaultRun(t, cfg)
	var adminMu sync.Mutex
	var admin *sql.DB
	r.admin = func() *sql.DB {
		adminMu.Lock()
		defer adminMu.Unlock()
		if admin == nil {
			admin = openURL(t, cfg.adminDSN(), 4)
		}
		return admin
	}
	n := len(r.completed)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	res := faultResult{events: n, deliveries: n}

	if cfg.killApp {
		cfg.fault = func(t *testing.T) {
			close(r.crashed)
			killSessions(t, r.killer, "fault-0")
		}
	}
	faulted := make(chan struct{})
	if cfg.fault != nil {
		go func() {
			defer close(faulted)
			<-r.fired
			cfg.fault(t)
		}()
	} else {
		close(faulted)
	}
	failed := r.deliverAll(all, 0)
	if cfg.fault != nil {
		r.fireOnce.Do(func() { close(r.fired) }) // in case the load ended first
	}
	<-faulted
	if cfg.recover != nil {
		cfg.recover(t)
	}
	adminMu.Lock()
	if admin != nil {
		admin.Close() // its connections may have died with the server
		admin = nil
	}
	adminMu.Unlock()
	if r.cfg.opts.LeaseMode {
		// Every first delivery has been answered, so a claim still running
		// belongs to a delivery that died; its lease would end in time.
		expireClaims(t, r.admin(), r.table)
	}
	t.Logf("first deliveries: %d of %d not answered with success", len(failed), n)
	retried := make([]bool, n)
	for _, ev := range failed {
		retried[ev] = true
	}
	for round := 1; len(failed) > 0 && round <= faultRounds; round++ {
		res.deliveries += len(failed)
		res.retries += len(failed)
		failed = r.deliverAll(failed, round)
		if r.cfg.opts.LeaseMode && len(failed) > 0 {
			expireClaims(t, r.admin(), r.table)
		}
	}
	assert.Empty(t, failed, "events still not answered after %d retry rounds", faultRounds)

	// Every event that was retried, and every tenth other, once more on
	// another replica: the stored bytes, and no hook runs. ("try later" is
	// allowed: in same-transaction mode a replay waits for a pool
	// connection within the lease; it is delivered again.)
	before := r.runs.Load()
	var again []int
	for ev := range all {
		if retried[ev] || ev%10 == 0 {
			again = append(again, ev)
		}
	}
	res.replays = len(again)
	for round := 0; len(again) > 0 && round <= faultRounds; round++ {
		res.deliveries += len(again)
		again = r.deliverAll(again, 2+round)
	}
	assert.Empty(t, again, "replays not answered with the stored bytes")
	assert.Equal(t, before, r.runs.Load(), "a replay ran a hook")
	assert.Zero(t, r.odd.Load(), "every answer is the stored reply or \"try again later\"")

	counts := map[string]int{}
	rows, err := r.admin().Query(`SELECT order_id, count(*) FROM ` + r.credits + ` GROUP BY order_id`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var id string
		var c int
		require.NoError(t, rows.Scan(&id, &c))
		counts[id] = c
	}
	require.NoError(t, rows.Err())
	for ev := 0; ev < n; ev++ {
		switch c := counts[strconv.Itoa(faultBase+ev)]; {
		case c == 0:
			res.lost++
		case c == 1:
			res.once++
		case c == 2:
			res.twice++
		default:
			res.more++
		}
		res.duplicates += max(counts[strconv.Itoa(faultBase+ev)]-1, 0)
		res.externalDup += max(int(r.completed[ev].Load())-1, 0)
	}
	t.Logf("%s", res)
	return res
}

// checkFaultResult asserts what each mode guarantees.
func checkFaultResult(t *testing.T, leaseMode bool, res faultResult) {
	assert.Zero(t, res.lost, "no event is lost")
	if !leaseMode {
		assert.Equal(t, res.events, res.once, "same-transaction mode: every event credited exactly once")
		assert.Zero(t, res.duplicates)
	}
}

// TestFaultDatabaseKilled kills the PostgreSQL server (SIGKILL to the
// postmaster and its backends) in the middle of the load and restarts it.
func TestFaultDatabaseKilled(t *testing.T) {
	databaseURL(t) // skips or fails like every test without PostgreSQL
	if os.Getenv(envURL) != "" {
		t.Skip("the fault tests kill the server: they need the tests' own PostgreSQL, not " + envURL)
	}
	srv := startOwnPostgres(t)
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		opts.Lease, opts.LockWait = 5*time.Second, 5*time.Second
		res := runFaults(t, faultConfig{
			opts: opts, dsn: srv.url, adminDSN: func() string { return srv.url },
			trigger: faultEvents() / 4,
			fault:   func(t *testing.T) { srv.kill(t) },
			recover: func(t *testing.T) { srv.start(t) },
		})
		checkFaultResult(t, opts.LeaseMode, res)
	})
}

// TestFaultApplicationKilled kills one of the four replicas in the middle
// of the load (its hooks stop right after their effect, its sessions end,
// its answers never arrive, the load balancer sends the retries to the
// other three).
func TestFaultApplicationKilled(t *testing.T) {
	dsn := databaseURL(t)
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		opts.Lease, opts.LockWait = 5*time.Second, 5*time.Second
		res := runFaults(t, faultConfig{
			opts: opts, dsn: dsn, adminDSN: func() string { return dsn },
			trigger: faultEvents() / 4, killApp: true,
		})
		checkFaultResult(t, opts.LeaseMode, res)
	})
}

// TestFaultNetworkCut puts a TCP proxy between the replicas' pools and
// PostgreSQL and cuts every connection (refusing new ones) in the middle
// of the load, then restores it.
func TestFaultNetworkCut(t *testing.T) {
	dsn := databaseURL(t)
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		opts.Lease, opts.LockWait = 5*time.Second, 5*time.Second
		p := startProxy(t, dsn)
		res := runFaults(t, faultConfig{
			opts: opts, dsn: p.dsn, adminDSN: func() string { return dsn },
			trigger: faultEvents() / 4,
			fault:   func(*testing.T) { p.cut() },
			recover: func(*testing.T) { p.restore() },
		})
		checkFaultResult(t, opts.LeaseMode, res)
	})
}

// TestFaultHookOutlivesTheLease: every 50th payment's hook is still
// running when its lease ends; the provider delivers it again meanwhile,
// and the first hook then does its work anyway.
func TestFaultHookOutlivesTheLease(t *testing.T) {
	dsn := databaseURL(t)
	modes(t, func(t *testing.T, opts sqlstore.Options) {
		opts.Lease, opts.LockWait = 2*time.Second, 10*time.Second
		res := runFaults(t, faultConfig{
			opts: opts, dsn: dsn, adminDSN: func() string { return dsn }, hangEvery: 50,
		})
		checkFaultResult(t, opts.LeaseMode, res)
		hung := (res.events + 49) / 50
		assert.GreaterOrEqual(t, res.externalDup, hung, "each hung hook's outside effect happened twice")
		if opts.LeaseMode {
			assert.GreaterOrEqual(t, res.duplicates, hung, "lease mode: each hung hook's credit happened twice")
		}
	})
}

// ownPostgres is a PostgreSQL server the test may kill.
type ownPostgres struct {
	url, data, dir, opts, pgctl string
	run                         func(dir, name string, args ...string) ([]byte, error)
}

// startOwnPostgres initialises and starts a server of the test's own, with
// synchronous_commit on (the default), so that a commit acknowledged
// before SIGKILL survives it as in production.
func startOwnPostgres(t *testing.T) *ownPostgres {
	bin := findPostgres()
	run, owner, err := runAs()
	if bin == "" || err != nil {
		t.Skip("PostgreSQL server binaries not found")
	}
	dir, err := os.MkdirTemp("", "paykit-pg-fault-")
	require.NoError(t, err)
	if owner != nil {
		require.NoError(t, os.Chown(dir, owner.uid, owner.gid))
	}
	s := &ownPostgres{data: filepath.Join(dir, "data"), dir: dir, pgctl: filepath.Join(bin, "pg_ctl"), run: run}
	out, err := run(dir, filepath.Join(bin, "initdb"), "-D", s.data, "-U", "paykit",
		"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	require.NoError(t, err, "initdb: %s", out)
	port, err := freePort()
	require.NoError(t, err)
	s.opts = strings.Join([]string{
		"-h 127.0.0.1", "-p " + strconv.Itoa(port), "-k " + dir,
		"-c fsync=off", "-c full_page_writes=off", "-c max_connections=200",
	}, " ")
	s.url = fmt.Sprintf("postgres://paykit@127.0.0.1:%d/postgres?sslmode=disable", port)
	s.start(t)
	t.Cleanup(func() {
		_, _ = run(dir, s.pgctl, "-D", s.data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	})
	return s
}

func (s *ownPostgres) start(t *testing.T) {
	out, err := s.run(s.dir, s.pgctl, "-D", s.data, "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "-o", s.opts, "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, tail(log, 2000))
	}
}

// kill sends SIGKILL to the postmaster's process group (pg_ctl makes the
// postmaster a session leader, so its backends are in that group) and
// waits until the postmaster is gone.
func (s *ownPostgres) kill(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(s.data, "postmaster.pid"))
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(-pid, syscall.SIGKILL))
	// Another process, not a goroutine: poll it until it is gone.
	for i := 0; syscall.Kill(pid, 0) == nil; i++ {
		require.Less(t, i, 3000, "postmaster %d survived SIGKILL", pid)
		time.Sleep(10 * time.Millisecond)
	}
}

// proxy forwards TCP connections to PostgreSQL and can cut them all.
type proxy struct {
	dsn    string
	target string
	ln     net.Listener
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func startProxy(t *testing.T, dsn string) *proxy {
	i := strings.Index(dsn, "@")
	j := strings.Index(dsn[i+1:], "/")
	require.True(t, i > 0 && j > 0, "database URL without host")
	target := dsn[i+1 : i+1+j]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	p.dsn = dsn[:i+1] + ln.Addr().String() + dsn[i+1+j:]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		p.cut()
	})
	return p
}

func (p *proxy) serve(c net.Conn) {
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down {
		c.Close()
		return
	}
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = struct{}{}, struct{}{}
	p.mu.Unlock()
	go pipe(s, c)
	pipe(c, s)
}

func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut closes every connection through the proxy and refuses new ones.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // reset, as a broken path eventually does
		}
		c.Close()
		delete(p.conns, c)
	}
}

// restore lets connections through again.
func (p *proxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
