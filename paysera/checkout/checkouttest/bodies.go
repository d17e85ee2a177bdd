package checkouttest

import (
	"encoding/json"
	"time"
)

// OrderSnapshot describes an order/amount_paid_updated webhook: the
// order's state with its links and payments, in the modern snake_case
// shape.
type OrderSnapshot struct {
	// Name is event.name; "" means "amount_paid_updated".
	Name       string
	ID         string // paysera_order_id
	Reference  string // merchant_order_id
	Source     string
	Amount     int64
	AmountPaid int64
	Currency   string
	// Status is pending_payment, paid, canceled or closed.
	Status       string
	Created      time.Time
	Updated      time.Time
	MerchantData map[string]string
	Links        []LinkSnapshot
}

// LinkSnapshot is a link inside an [OrderSnapshot].
type LinkSnapshot struct {
	ID, Name              string
	PayerName, PayerEmail string
	Created, Updated      time.Time
	Payments              []PaymentSnapshot
}

// PaymentSnapshot is a payment attempt inside a [LinkSnapshot].
type PaymentSnapshot struct {
	ID, Method, Status, Purpose, Country, Currency string
	Amount                                         int64
	Created, Updated                               time.Time
}

type kv struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type eventJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type paymentJSON struct {
	ID       string `json:"id"`
	Method   string `json:"method"`
	Status   string `json:"status"`
	Purpose  string `json:"purpose"`
	Country  string `json:"payment_country"`
	Currency string `json:"payment_currency"`
	Amount   int64  `json:"payment_amount"`
	Created  int64  `json:"created_at"`
	Updated  int64  `json:"updated_at"`
}

type linkJSON struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	Created    int64         `json:"created_at"`
	Updated    int64         `json:"updated_at"`
	PayerName  string        `json:"payer_name,omitempty"`
	PayerEmail string        `json:"payer_email,omitempty"`
	Payments   []paymentJSON `json:"payments"`
}

type snapshotJSON struct {
	ID           string     `json:"paysera_order_id"`
	Reference    string     `json:"merchant_order_id"`
	Source       string     `json:"source"`
	Amount       int64      `json:"amount"`
	AmountPaid   int64      `json:"amount_paid"`
	Currency     string     `json:"currency"`
	Status       string     `json:"status"`
	Created      int64      `json:"created_at"`
	Updated      int64      `json:"updated_at"`
	MerchantData []kv       `json:"merchant_data"`
	Links        []linkJSON `json:"payment_links"`
}

// Body returns the webhook's compact JSON body.
func (o OrderSnapshot) Body() []byte {
	s := snapshotJSON{ID: o.ID, Reference: o.Reference, Source: o.Source, Amount: o.Amount,
		AmountPaid: o.AmountPaid, Currency: o.Currency, Status: o.Status,
		Created: unix(o.Created), Updated: unix(o.Updated), MerchantData: []kv{}, Links: []linkJSON{}}
	for _, k := range sortedKeys(o.MerchantData) {
		s.MerchantData = append(s.MerchantData, kv{k, o.MerchantData[k]})
	}
	for _, l := range o.Links {
		lj := linkJSON{ID: l.ID, Name: l.Name, Created: unix(l.Created), Updated: unix(l.Updated),
			PayerName: l.PayerName, PayerEmail: l.PayerEmail, Payments: []paymentJSON{}}
		for _, p := range l.Payments {
			lj.Payments = append(lj.Payments, paymentJSON{ID: p.ID, Method: p.Method, Status: p.Status,
				Purpose: p.Purpose, Country: p.Country, Currency: p.Currency, Amount: p.Amount,
				Created: unix(p.Created), Updated: unix(p.Updated)})
		}
		s.Links = append(s.Links, lj)
	}
	name := o.Name
	if name == "" {
		name = "amount_paid_updated"
	}
	return mustJSON(struct {
		Event eventJSON    `json:"event"`
		Order snapshotJSON `json:"order"`
	}{eventJSON{Name: name, Type: "order"}, s})
}

// StatusUpdate describes a thin payment/status_updated or
// refund/status_updated webhook.
type StatusUpdate struct {
	// Refund makes it a refund/status_updated.
	Refund    bool
	OrderID   string // paysera_order_id
	Reference string // merchant_order_id
	// ID is the payment's (or refund's) id.
	ID       string
	Status   string
	Amount   int64
	Currency string
	Time     time.Time
}

// Body returns the webhook's compact JSON body.
func (u StatusUpdate) Body() []byte {
	typ := "payment"
	if u.Refund {
		typ = "refund"
	}
	type orderRef struct {
		ID        string `json:"paysera_order_id"`
		Reference string `json:"merchant_order_id"`
	}
	type state struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	}
	return mustJSON(struct {
		Version   int       `json:"version"`
		Event     eventJSON `json:"event"`
		Order     orderRef  `json:"order"`
		Payment   state     `json:"payment"`
		Timestamp int64     `json:"timestamp"`
	}{1, eventJSON{Type: typ, Name: "status_updated"}, orderRef{u.OrderID, u.Reference},
		state{u.ID, u.Status, u.Amount, u.Currency}, unix(u.Time)})
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("checkouttest: " + err.Error()) // only fixed struct types are encoded
	}
	return b
}

// eventName reads event.name from a body, "" when there is none.
func eventName(body []byte) string {
	var e struct {
		Event struct {
			Name string `json:"name"`
		} `json:"event"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Event.Name
}
