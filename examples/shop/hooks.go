package main

import (
	"context"
	"fmt"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/vkpay"
)

// hooks returns the one paykit.Hooks all five provider handlers share:
// nothing below names a provider except where a provider does not echo the
// shop's order id (VK and Playvision purchases start client-side and are
// linked by the item key). One Store serves the five handlers, and obs
// (the journal, the log) is told of every delivery.
func (s *Shop) hooks(obs paykit.Observer) paykit.Hooks {
	return paykit.Hooks{
		Item:     s.item,
		User:     s.user,
		Event:    s.event,
		Store:    paykit.NewMemoryStore(paykit.MemoryStoreOptions{}),
		Observer: obs,
	}
}

// item prices an order for VK get_item and Playvision get_item. The key
// comes from the buyer's client: only an order awaiting payment through
// the same provider is priced, at the order's own amount.
func (s *Shop) item(_ context.Context, req paykit.ItemRequest) (paykit.Item, error) {
	id, ok := orderIDFromItem(req.Item)
	if !ok {
		// A product of the catalogue, bought in the mini app or game
		// without an order of the shop: priced from the catalogue, the
		// order is created by the payment notification.
		if p, ok := productBySKU(req.Item); ok {
			return paykit.Item{ID: p.SKU, Title: p.Title, Price: p.PriceIn(req.Provider).Amount}, nil
		}
		return paykit.Item{}, paykit.ErrUnknownItem
	}
	var e Entry
	if req.Notification != nil {
		sum := req.Notification.Summary()
		e = Entry{Type: sum.Type, Kind: sum.Kind, ID: sum.ID, Test: sum.Test}
	}
	o, err := s.orders.priceItem(id, req.Provider, e)
	if err != nil {
		return paykit.Item{}, err
	}
	return paykit.Item{ID: o.ItemKey(), Title: o.Title, Price: o.Amount.Amount}, nil
}

// user answers Xsolla's user_validation: the shop's buyers are the user
// ids it put into its payment tokens.
func (s *Shop) user(_ context.Context, n paykit.Notification) error {
	if n.Summary().UserID == "" {
		return paykit.ErrUnknownUser
	}
	return nil
}

// event fulfils payments and refunds. It runs inside the store's
// fulfilment, at most once per idempotency key: a duplicate delivery is
// answered from the store without reaching it (the journal records it as
// replayed, and the order page shows it).
func (s *Shop) event(_ context.Context, n paykit.Notification) error {
	sum := n.Summary()
	id, ok := orderIDOf(n)
	if !ok {
		id, ok = s.catalogOrder(n)
	}
	if !ok {
		if sum.Kind == paykit.KindPayment || sum.Kind == paykit.KindRefund {
			return fmt.Errorf("%s %s %s: no order of this shop: %w", sum.Provider, sum.Type, sum.ID, paykit.ErrUnknownItem)
		}
		return nil // subscriptions, information: nothing this shop sells
	}
	return s.orders.apply(id, sum)
}

// orderIDOf finds the shop's order a notification is about: the order id
// the provider echoes (Paysera orderid, Xsolla external_id) or, for
// purchases started client-side, the item key echoed back.
func orderIDOf(n paykit.Notification) (string, bool) {
	if id := n.Summary().OrderID; id != "" {
		return id, true
	}
	switch n := n.(type) {
	case *vkpay.OrderStatusChange:
		if id, ok := orderIDFromItem(n.ItemID); ok {
			return id, true
		}
		return orderIDFromItem(n.Item)
	case *playvision.OrderStatusChange:
		return orderIDFromItem(n.ItemID)
	}
	return "", false
}

// catalogOrder finds or creates the order of a client-side purchase of a
// catalogue product (VK, Playvision: the item id is the product's SKU),
// keyed by the provider's order id. Only a paid payment creates an order;
// a refund or any other notification must find the order its payment
// created.
func (s *Shop) catalogOrder(n paykit.Notification) (string, bool) {
	var sku string
	switch n := n.(type) {
	case *vkpay.OrderStatusChange:
		sku = n.ItemID
	case *playvision.OrderStatusChange:
		sku = n.ItemID
	default:
		return "", false
	}
	p, ok := productBySKU(sku)
	sum := n.Summary()
	if !ok || sum.ID == "" {
		return "", false
	}
	create := sum.Kind == paykit.KindPayment && sum.Status == paykit.StatusPaid
	return s.orders.purchase(p, sum.Provider, sum.ID, create, sum.Amount)
}
