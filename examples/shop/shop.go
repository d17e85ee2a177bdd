package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/journalpage"
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
	// JournalPassword opens the journal page at /journal/ (HTTP Basic
	// authentication, any user name): the demo's stand-in for a real
	// merchant's own authentication. "" keeps the page closed to everyone.
	JournalPassword string
	// Logger, when set, gets one record per callback delivery
	// (paykit.LogDeliveries).
	Logger *slog.Logger
	// DropCallbacks makes the emulators record their callbacks without
	// sending them: payments go through at the (emulated) provider while
	// the shop hears nothing, as when a provider gives up. The order
	// page's "Check with the provider" (VK, Xsolla) recovers them.
	DropCallbacks bool
}

// Shop is the demo merchant: a catalogue, in-memory orders, the pages, the
// five providers' callback handlers sharing one paykit.Hooks, and the
// emulators of the providers that have no credentials.
type Shop struct {
	base     string
	orders   *orderBook
	journal  *paykit.MemoryJournal
	hk       paykit.Hooks
	gateways map[paykit.Provider]*gateway
	emu      *emulators.Set
	mux      *http.ServeMux
	// journalPage serves /journal/, behind journalPassword.
	journalPage     http.Handler
	journalPassword string
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
	s := &Shop{base: base, orders: newOrderBook(opts.Now), gateways: map[paykit.Provider]*gateway{},
		journal: paykit.NewMemoryJournal(paykit.MemoryJournalOptions{}), journalPassword: opts.JournalPassword}
	var logged paykit.Observer
	if opts.Logger != nil {
		logged = paykit.LogDeliveries(opts.Logger)
	}
	s.hk = s.hooks(paykit.Observers(s.journal, logged))

	ecfg := p.emulatorConfig(base)
	ecfg.RetrySchedule = opts.RetrySchedule
	ecfg.DropCallbacks = opts.DropCallbacks
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
	s.journalPage = journalpage.New(s.journal, journalpage.Options{
		BasePath:  "/journal",
		Authorize: s.journalAllowed,
		Handler:   s.callbackHandler,
	})
	s.mux = s.routes()
	return s, nil
}

func (s *Shop) buildGateways(p plan, getenv func(string) string) error {
	builders := []func() (*gateway, error){
		func() (*gateway, error) { return s.payseraGateway(p.paysera, s.emu, getenv) },
		func() (*gateway, error) { return s.checkoutGateway(p.checkout, s.emu, getenv) },
		func() (*gateway, error) { return s.vkGateway(p.vk, s.emu, getenv) },
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
	mux.HandleFunc("GET /orders/{id}/pay-again", s.servePayAgain)
	mux.HandleFunc("POST /orders/{id}/check", s.serveCheck)
	mux.Handle("/journal/", s.journalAuth(s.journalPage))
	mux.HandleFunc("/", s.serveNotFound)
	for _, p := range providers {
		mux.Handle("/callback/"+string(p), s.gateways[p].handler)
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
