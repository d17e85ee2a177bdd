package main

import (
	"log"
	"net/http"
	"net/url"

	"github.com/paykit-go/paykit"
)

// serveCheck is the order page's "Check with the provider": it asks the
// provider about the order (its reconciler) and, when the payment went
// through but its callback never arrived, fulfils it through the same
// hooks, Store and idempotency key as the callback — so the callback, if
// it comes late, is answered from the Store and delivers nothing twice.
// What was found is added to the order's history.
func (s *Shop) serveCheck(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o, ok := s.orders.get(id)
	if !ok {
		s.render(w, http.StatusNotFound, "error", "No such order.")
		return
	}
	g := s.gateways[o.Provider]
	if g.check == nil {
		s.render(w, http.StatusBadRequest, "error", providerNames[o.Provider]+" offers no way to look a payment up.")
		return
	}
	rep, err := g.check(r.Context(), o)
	if err != nil {
		log.Printf("shop: checking order %s with %s: %v", id, o.Provider, err)
		s.render(w, http.StatusBadGateway, "error", "The provider could not be asked: "+err.Error())
		return
	}
	for _, e := range rep.Entries {
		if e.Found == paykit.FoundFailed {
			log.Printf("shop: checking order %s with %s: %v", id, o.Provider, e.Err)
		}
		s.orders.note(id, Entry{Type: "check with the provider", Kind: e.Summary.Kind, Status: e.Summary.Status,
			ID: e.Summary.ID, Amount: e.Summary.Amount, Test: e.Summary.Test, Note: checkNote(e.Found)})
	}
	http.Redirect(w, r, "/orders/"+url.PathEscape(id), http.StatusSeeOther)
}

// checkNote says in the history what a check found.
func checkNote(f paykit.Found) string {
	switch f {
	case paykit.FoundFulfilled:
		return "checked: settled at the provider, its callback was missing — fulfilled now"
	case paykit.FoundAlreadyFulfilled:
		return "checked: settled, and its callback had already been fulfilled"
	case paykit.FoundPending:
		return "checked: not settled at the provider yet"
	case paykit.FoundUnknown:
		return "checked: the provider knows no payment for this order"
	}
	return "checked: the provider could not be asked (see the log); try again"
}
