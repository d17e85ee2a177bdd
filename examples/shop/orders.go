package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit"
)

// OrderStatus is where an order stands for the shop. Only a verified
// callback moves it; the buyer's return from a payment page never does.
type OrderStatus string

// The order statuses.
const (
	OrderNew      OrderStatus = "awaiting payment"
	OrderPending  OrderStatus = "payment pending"
	OrderPaid     OrderStatus = "paid"
	OrderFailed   OrderStatus = "payment failed"
	OrderRefunded OrderStatus = "refunded"
	// OrderCancelled: the buyer left the payment page, or the provider
	// cancelled the unpaid order. A verified payment arriving later still
	// counts.
	OrderCancelled OrderStatus = "cancelled"
)

// Final reports whether no further callback is expected to change the
// status in the ordinary course of a purchase: nothing to wait for.
func (s OrderStatus) Final() bool {
	return s == OrderPaid || s == OrderFailed || s == OrderRefunded || s == OrderCancelled
}

// Payable reports whether the buyer can (still, or again) pay the order.
func (s OrderStatus) Payable() bool {
	return s == OrderNew || s == OrderPending || s == OrderCancelled
}

// Entry is one line of what the shop did for an order's notifications
// (the deliveries themselves, duplicates included, are in the journal).
type Entry struct {
	At     time.Time
	Type   string // the provider's own type, e.g. "order_status_change_test"
	Kind   paykit.Kind
	Status paykit.Status
	ID     string // the provider's transaction id
	Amount paykit.Money
	Test   bool
	Note   string
}

// Order is one purchase. Amount is in the chosen provider's unit: minor
// units of Currency for Paysera and Xsolla, votes for VK, PlayGold for
// Playvision (Currency "").
type Order struct {
	ID         string
	SKU        string
	Title      string
	Provider   paykit.Provider
	Amount     paykit.Money
	Status     OrderStatus
	ProviderID string // the provider's id of the payment, once known
	// Deliveries counts how many times the goods were handed over; a
	// refund takes them back (Revoked). Idempotent callbacks keep it at 1.
	Deliveries int
	Revoked    int
	// held is the provider's status the order holds, moved only forward
	// by paykit.Advance.
	held paykit.Status
	// PayURL is where the buyer pays ("" when the purchase is started by
	// the provider's client-side SDK).
	PayURL  string
	Created time.Time
	History []Entry
}

// Goods says where the goods stand: "not delivered", "delivered" or, after
// a refund, "taken back".
func (o Order) Goods() string {
	switch {
	case o.Deliveries == 0:
		return "not delivered"
	case o.Revoked >= o.Deliveries:
		return "taken back"
	}
	return "delivered"
}

// ItemKey is the key that links a client-side purchase (VK
// VKWebAppShowOrderBox, Playvision payment.window) to the order: the
// provider echoes it in get_item and, as the item id we answer, in the
// payment notification.
func (o Order) ItemKey() string { return itemKeyPrefix + o.ID }

const itemKeyPrefix = "order-"

// orderIDFromItem parses an item key; the key comes from the buyer's
// client, so anything else is simply not an order.
func orderIDFromItem(item string) (string, bool) {
	id, ok := strings.CutPrefix(item, itemKeyPrefix)
	if !ok || id == "" {
		return "", false
	}
	if _, err := strconv.ParseUint(id, 10, 32); err != nil {
		return "", false
	}
	return id, true
}

// orderBook keeps the orders in memory.
type orderBook struct {
	mu     sync.Mutex
	now    func() time.Time
	next   int
	orders map[string]*Order
}

func newOrderBook(now func() time.Time) *orderBook {
	if now == nil {
		now = time.Now
	}
	return &orderBook{now: now, next: 1001, orders: map[string]*Order{}}
}

// create adds a new order awaiting payment.
func (b *orderBook) create(p Product, provider paykit.Provider, amount paykit.Money) Order {
	b.mu.Lock()
	defer b.mu.Unlock()
	o := &Order{
		ID: strconv.Itoa(b.next), SKU: p.SKU, Title: p.Title, Provider: provider,
		Amount: amount, Status: OrderNew, Created: b.now(),
	}
	b.next++
	b.orders[o.ID] = o
	return o.copy()
}

// setPayURL records where the buyer pays.
func (b *orderBook) setPayURL(id, u string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o, ok := b.orders[id]; ok {
		o.PayURL = u
	}
}

// get returns a copy of an order.
func (b *orderBook) get(id string) (Order, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.orders[id]
	if !ok {
		return Order{}, false
	}
	return o.copy(), true
}

// list returns copies of every order, newest first.
func (b *orderBook) list() []Order {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Order, 0, len(b.orders))
	for _, o := range b.orders {
		out = append(out, o.copy())
	}
	sort.Slice(out, func(i, j int) bool {
		return len(out[i].ID) > len(out[j].ID) || (len(out[i].ID) == len(out[j].ID) && out[i].ID > out[j].ID)
	})
	return out
}

func (o *Order) copy() Order {
	c := *o
	c.History = append([]Entry(nil), o.History...)
	return c
}

// purchase returns the order of provider's purchase providerID of product
// p, creating it (awaiting payment, at the catalogue's price) when there is
// none, create is set and paid is that price: a notification that does
// not match the catalogue leaves no order behind.
func (b *orderBook) purchase(p Product, provider paykit.Provider, providerID string, create bool, paid paykit.Money) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, o := range b.orders {
		if o.Provider == provider && o.ProviderID == providerID && o.SKU == p.SKU {
			return id, true
		}
	}
	if !create || paid != p.PriceIn(provider) {
		return "", false
	}
	o := &Order{ID: strconv.Itoa(b.next), SKU: p.SKU, Title: p.Title, Provider: provider,
		Amount: p.PriceIn(provider), Status: OrderNew, Created: b.now(), ProviderID: providerID}
	b.next++
	b.orders[o.ID] = o
	return o.ID, true
}

// cancel marks an order awaiting payment as cancelled: the buyer left the
// payment page. It never touches an order a callback has moved (pending,
// paid, …), and a verified payment arriving later still counts. It returns
// the order as it now stands.
func (b *orderBook) cancel(id string) (Order, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.orders[id]
	if !ok {
		return Order{}, false
	}
	if o.Status == OrderNew {
		o.Status = OrderCancelled
	}
	return o.copy(), true
}

// reopen makes a cancelled order await payment again at payURL (the
// buyer chose to pay again on a new payment page). It reports false, and
// changes nothing, when the order is not cancelled.
func (b *orderBook) reopen(id, payURL string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.orders[id]
	if !ok || o.Status != OrderCancelled {
		return false
	}
	o.Status, o.PayURL = OrderNew, payURL
	return true
}

// priceItem answers an item request (VK get_item, Playvision get_item)
// for an order awaiting payment through provider.
func (b *orderBook) priceItem(id string, provider paykit.Provider, e Entry) (Order, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.orders[id]
	if !ok || o.Provider != provider || (o.Status != OrderNew && o.Status != OrderCancelled) {
		return Order{}, paykit.ErrUnknownItem
	}
	e.At = b.now()
	e.Note = "priced: " + priceText(o.Provider, o.Amount)
	o.History = append(o.History, e)
	if e.ID != "" && o.ProviderID == "" {
		// VK's order_id: its payment notification carries the same, so
		// the journal links both to the order.
		o.ProviderID = e.ID
	}
	return o.copy(), nil
}

// note adds e to the order's history (stamped now) without moving it.
func (b *orderBook) note(id string, e Entry) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o, ok := b.orders[id]; ok {
		e.At = b.now()
		o.History = append(o.History, e)
	}
}

// apply records a verified payment, refund or status notification for
// order id and moves the order. It refuses notifications that do not match
// the order (other provider, other amount) without changing it.
func (b *orderBook) apply(id string, s paykit.Summary) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.orders[id]
	if !ok {
		return fmt.Errorf("order %s: %w", id, paykit.ErrUnknownItem)
	}
	if o.Provider != s.Provider {
		return fmt.Errorf("order %s is paid through %s, not %s", id, o.Provider, s.Provider)
	}
	// A paid payment must bring exactly the order's amount (none is not
	// enough); other payment and refund notifications are checked when
	// they carry one.
	paid := s.Kind == paykit.KindPayment && s.Status == paykit.StatusPaid
	if (paid || s.Kind == paykit.KindPayment || s.Kind == paykit.KindRefund) && (paid || s.Amount != (paykit.Money{})) && s.Amount != o.Amount {
		return fmt.Errorf("order %s: amount %s does not match %s", id, s.Amount, o.Amount)
	}
	e := Entry{At: b.now(), Type: s.Type, Kind: s.Kind, Status: s.Status, ID: s.ID, Amount: s.Amount, Test: s.Test}
	e.Note = o.transition(s)
	if s.ID != "" {
		o.ProviderID = s.ID
	}
	o.History = append(o.History, e)
	return nil
}

// transition moves the order for one notification and says what happened.
// Providers deliver out of order, so the provider's status the order holds
// only moves forward ([paykit.Advance]): a late pending or failure never
// undoes paid, and a refund that arrives before its payment is held, so
// the payment after it delivers nothing.
func (o *Order) transition(s paykit.Summary) string {
	if s.Kind != paykit.KindPayment && s.Kind != paykit.KindRefund {
		return "recorded"
	}
	next, changed := paykit.Advance(o.held, s.Status)
	if !changed {
		if o.held == paykit.StatusUnknown {
			return "recorded"
		}
		return "already " + string(o.held) + ": nothing changes"
	}
	o.held = next
	switch next {
	case paykit.StatusPending:
		o.Status = OrderPending
		return "waiting for the money"
	case paykit.StatusFailed:
		o.Status = OrderFailed
		return "payment not executed"
	case paykit.StatusPaid:
		o.Status = OrderPaid
		o.Deliveries++
		return "goods delivered"
	}
	switch { // canceled or refunded
	case o.Deliveries > o.Revoked:
		o.Status = OrderRefunded
		o.Revoked++
		return "goods taken back"
	case o.Deliveries > 0:
		o.Status = OrderRefunded
		return "goods already taken back"
	case next == paykit.StatusCanceled:
		o.Status = OrderCancelled // e.g. Xsolla order_canceled before payment
		return "order cancelled by the provider: nothing will be delivered"
	}
	o.Status = OrderRefunded
	return "refunded before its payment arrived: nothing will be delivered"
}
