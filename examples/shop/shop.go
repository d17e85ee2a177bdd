package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/paysera/payseratest"
)

// Options configures a Shop.
type Options struct {
	// BaseURL is the shop's externally visible URL, e.g.
	// "http://127.0.0.1:8080": return and callback URLs are built on it,
	// and the emulators, mounted in the same server, call it back.
	BaseURL string
	// Getenv reads the real providers' credentials; nil reads nothing, so
	// every provider is emulated.
	Getenv func(string) string
	// RetrySchedule replaces the emulators' delays between delivery
	// attempts (tests shorten them); nil keeps each provider's real
	// schedule.
	RetrySchedule []time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// PayseraSigner signs the Paysera emulator's callbacks; nil generates
	// a key at start (tests share one to save the RSA key generation).
	PayseraSigner *payseratest.Signer
}

// Shop is the demo merchant: a catalogue, in-memory orders, the pages, the
// four providers' callback handlers sharing one paykit.Hooks, and the
// emulators of the providers that have no credentials.
type Shop struct {
	base     string
	orders   *orderBook
	store    *historyStore
	hk       paykit.Hooks
	gateways map[paykit.Provider]*gateway
	emu      *emulators.Set
	log      *callbackLog
	mux      *http.ServeMux
}

// New builds a Shop. Close it to stop the emulators.
func New(opts Options) (*Shop, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, errors.New("shop: BaseURL must be an absolute http(s) URL")
	}
	p, err := readPlan(getenv)
	if err != nil {
		return nil, err
	}
	s := &Shop{base: base, orders: newOrderBook(opts.Now), log: &callbackLog{}, gateways: map[paykit.Provider]*gateway{}}
	s.store = &historyStore{inner: paykit.NewMemoryStore(paykit.MemoryStoreOptions{}), replayed: s.orders.replayed}
	s.hk = s.hooks()

	ecfg := p.emulatorConfig(base)
	ecfg.RetrySchedule = opts.RetrySchedule
	if ecfg.Paysera != nil {
		ecfg.Paysera.Signer = opts.PayseraSigner
	}
	if s.emu, err = emulators.New(ecfg); err != nil {
		return nil, err
	}
	if err := s.buildGateways(p, getenv); err != nil {
		s.emu.Close()
		return nil, err
	}
	s.mux = s.routes()
	return s, nil
}

func (s *Shop) buildGateways(p plan, getenv func(string) string) error {
	builders := []func() (*gateway, error){
		func() (*gateway, error) { return s.payseraGateway(p.paysera, s.emu, getenv) },
		func() (*gateway, error) { return s.vkGateway(p.vk, s.emu) },
		func() (*gateway, error) { return s.xsollaGateway(p.xsolla, s.emu, getenv) },
		func() (*gateway, error) { return s.playvisionGateway(p.playvision, s.emu) },
	}
	for _, build := range builders {
		g, err := build()
		if err != nil {
			return err
		}
		s.gateways[g.provider] = g
	}
	return nil
}

// Handler returns the shop's HTTP handler: pages, callbacks and the
// mounted emulators.
func (s *Shop) Handler() http.Handler { return s.mux }

// Close stops the emulators.
func (s *Shop) Close() { s.emu.Close() }

// Emulated reports whether provider runs on its emulator.
func (s *Shop) Emulated(provider paykit.Provider) bool {
	g, ok := s.gateways[provider]
	return ok && g.emulated
}

// CallbackURL is where provider's notifications must be sent.
func (s *Shop) CallbackURL(provider paykit.Provider) string { return callbackURL(s.base, provider) }

// EmulatorURL is the page of provider's emulator ("" when real).
func (s *Shop) EmulatorURL(provider paykit.Provider) string {
	if !s.Emulated(provider) {
		return ""
	}
	return s.base + s.emu.Path(provider)
}

func (s *Shop) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveIndex)
	mux.HandleFunc("POST /orders", s.serveCreate)
	mux.HandleFunc("GET /orders", s.serveOrders)
	mux.HandleFunc("GET /orders/{id}", s.serveOrder)
	mux.HandleFunc("GET /callbacks", s.serveCallbacks)
	mux.HandleFunc("/", s.serveNotFound)
	for _, p := range providers {
		mux.Handle("/callback/"+string(p), s.log.wrap(p, s.gateways[p].handler))
	}
	s.emu.Mount(mux)
	return mux
}

// startPayment creates the order and asks the provider where the buyer
// pays.
func (s *Shop) startPayment(ctx context.Context, sku string, provider paykit.Provider) (Order, error) {
	prod, ok := productBySKU(sku)
	g, gok := s.gateways[provider]
	if !ok || !gok {
		return Order{}, errors.New("unknown product or payment method")
	}
	o := s.orders.create(prod, provider, prod.PriceIn(provider))
	if g.start == nil {
		return o, nil
	}
	u, err := g.start(ctx, o)
	if err != nil {
		return o, err
	}
	s.orders.setPayURL(o.ID, u)
	o.PayURL = u
	return o, nil
}

// callbackLog remembers the last callbacks received and how they were
// answered, including the ones refused before any hook ran.
type callbackLog struct {
	mu      sync.Mutex
	entries []callbackRecord
}

// callbackRecord is one callback delivery as the shop answered it.
type callbackRecord struct {
	At       time.Time
	Provider paykit.Provider
	Method   string
	Status   int
	Reply    string
}

const maxCallbackLog = 200

func (l *callbackLog) wrap(p paykit.Provider, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &replyRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.entries = append(l.entries, callbackRecord{At: time.Now(), Provider: p, Method: r.Method, Status: rec.status, Reply: rec.reply.String()})
		if len(l.entries) > maxCallbackLog {
			l.entries = l.entries[len(l.entries)-maxCallbackLog:]
		}
	})
}

func (l *callbackLog) list() []callbackRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]callbackRecord, 0, len(l.entries))
	for i := len(l.entries) - 1; i >= 0; i-- {
		out = append(out, l.entries[i])
	}
	return out
}

// replyRecorder keeps the status and the start of a reply.
type replyRecorder struct {
	http.ResponseWriter
	status int
	reply  strings.Builder
}

func (r *replyRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *replyRecorder) Write(b []byte) (int, error) {
	if room := 300 - r.reply.Len(); room > 0 {
		r.reply.Write(b[:min(room, len(b))])
	}
	return r.ResponseWriter.Write(b)
}
