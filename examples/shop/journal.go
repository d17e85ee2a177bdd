package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/paykit-go/paykit"
)

// journalAllowed is the journal page's authorisation: the demo password
// over HTTP Basic authentication. A real merchant puts their own check
// here (their admin session, an SSO role); the page refuses every request
// this does not allow.
func (s *Shop) journalAllowed(r *http.Request) bool {
	if s.journalPassword == "" {
		return false
	}
	_, pw, ok := r.BasicAuth()
	// Equal-length digests, compared in constant time.
	got, want := sha256.Sum256([]byte(pw)), sha256.Sum256([]byte(s.journalPassword))
	return ok && subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// journalAuth asks the browser for the demo password (401 with a Basic
// challenge) before the journal page sees the request; the page checks it
// again through journalAllowed.
func (s *Shop) journalAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.journalAllowed(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="paykit demo shop journal", charset="UTF-8"`)
			http.Error(w, "The journal needs the demo password (see the shop's start-up banner).", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// callbackHandler is the handler that runs a recorded delivery again: the
// callback handler of its provider.
func (s *Shop) callbackHandler(d paykit.Delivery) http.Handler {
	if g, ok := s.gateways[d.Provider]; ok {
		return g.handler
	}
	return nil
}

// maxOrderDeliveries bounds the deliveries an order page lists.
const maxOrderDeliveries = 200

// orderDeliveries reads an order's callback log from the journal, oldest
// first: the deliveries that name the order (Paysera orderid, Xsolla
// external_id), those that carry the provider's id of its payment (VK and
// Playvision do not echo the shop's order id), and those answered under
// the same idempotency key as one of them — the same event by another
// name, such as Xsolla's order_paid of a purchase whose payment came first.
// Deliveries that did not verify name nothing, so they never reach an
// order's page; the journal page lists them.
func (s *Shop) orderDeliveries(ctx context.Context, o Order) ([]paykit.Delivery, error) {
	queries := []paykit.DeliveryQuery{{Provider: o.Provider, OrderID: o.ID, Limit: maxOrderDeliveries}}
	if o.ProviderID != "" {
		queries = append(queries, paykit.DeliveryQuery{Provider: o.Provider, ProviderID: o.ProviderID, Limit: maxOrderDeliveries})
	}
	found := map[string]paykit.Delivery{}
	keys := map[string]bool{}
	since := o.Created
	for _, q := range queries {
		page, err := s.journal.Deliveries(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, d := range page.Deliveries {
			found[d.ID] = d
			if d.Key != "" {
				keys[d.Key] = true
			}
			if d.ReceivedAt.Before(since) {
				since = d.ReceivedAt // an order made by its payment (a catalogue purchase)
			}
		}
	}
	if len(keys) > 0 {
		// The journal is not indexed by key: look through the provider's
		// deliveries since the order's first, a bounded number of them.
		page, err := s.journal.Deliveries(ctx, paykit.DeliveryQuery{Provider: o.Provider, Since: since,
			Limit: paykit.MaxDeliveryPage})
		if err != nil {
			return nil, err
		}
		for _, d := range page.Deliveries {
			if keys[d.Key] {
				found[d.ID] = d
			}
		}
	}
	out := slices.Collect(maps.Values(found))
	slices.SortStableFunc(out, func(a, b paykit.Delivery) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(out) > maxOrderDeliveries {
		out = out[len(out)-maxOrderDeliveries:]
	}
	return out, nil
}

// deliveryNote says what became of a delivery, for the order page.
func deliveryNote(d paykit.Delivery) string {
	switch {
	case d.Reconciled && d.Outcome == paykit.OutcomeOK && d.Replayed:
		return "checked with the provider: already fulfilled"
	case d.Reconciled && d.Outcome == paykit.OutcomeOK:
		return "found by checking with the provider: fulfilled"
	case d.Outcome == paykit.OutcomeOK && d.Replayed:
		return "duplicate, answered from the store"
	case d.Outcome == paykit.OutcomeOK && d.Key == "":
		return "question, not stored"
	case d.Outcome == paykit.OutcomeOK:
		return "first"
	}
	note := string(d.Outcome)
	if d.Error != "" {
		note += ": " + strings.TrimPrefix(d.Error, "paykit: ")
	}
	return note
}
