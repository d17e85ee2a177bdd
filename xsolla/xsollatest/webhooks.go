package xsollatest

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/xsolla"
)

// Webhook bodies are built as ordered structs so that they look like
// Xsolla's (notification_type first) and are reproducible.

type settingsJSON struct {
	ProjectID  int `json:"project_id"`
	MerchantID int `json:"merchant_id"`
}

type userJSON struct {
	ID      string `json:"id,omitempty"`
	IP      string `json:"ip,omitempty"`
	Email   string `json:"email,omitempty"`
	Name    string `json:"name,omitempty"`
	Country string `json:"country,omitempty"`
}

type moneyJSON struct {
	Currency string      `json:"currency"`
	Amount   json.Number `json:"amount"`
}

func (e *Emulator) settings() settingsJSON {
	return settingsJSON{ProjectID: e.opts.ProjectID, MerchantID: e.opts.MerchantID}
}

func user(s Order) userJSON {
	return userJSON{ID: s.UserID, IP: "127.0.0.1", Email: s.Email, Name: s.Name, Country: s.Country}
}

func money(m paykit.Money) moneyJSON {
	a, err := xsolla.FormatAmount(m)
	if err != nil {
		a = strconv.FormatInt(m.Amount, 10)
	}
	return moneyJSON{Currency: m.Currency, Amount: json.Number(a)}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the emulator's own structs always marshal
	}
	return b
}

func (e *Emulator) userValidationBody(s Order) []byte {
	return mustJSON(struct {
		Type     string       `json:"notification_type"`
		Settings settingsJSON `json:"settings"`
		User     userJSON     `json:"user"`
	}{xsolla.TypeUserValidation, e.settings(), user(s)})
}

// paymentBody builds payment and refund webhooks (refund adds
// refund_details).
// itemJSON is one of purchase.virtual_items.items.
type itemJSON struct {
	SKU    string `json:"sku"`
	Amount int    `json:"amount"`
}

// purchaseJSON is a payment webhook's purchase object.
type purchaseJSON struct {
	Checkout     *moneyJSON `json:"checkout,omitempty"`
	VirtualItems *struct {
		Items    []itemJSON  `json:"items"`
		Currency string      `json:"currency"`
		Amount   json.Number `json:"amount"`
	} `json:"virtual_items,omitempty"`
	Total moneyJSON `json:"total"`
}

// txJSON is a payment webhook's transaction object.
type txJSON struct {
	ID                int64  `json:"id"`
	ExternalID        string `json:"external_id,omitempty"`
	PaymentDate       string `json:"payment_date"`
	PaymentMethod     int    `json:"payment_method"`
	PaymentMethodName string `json:"payment_method_name"`
	DryRun            int    `json:"dry_run,omitempty"`
	Agreement         int    `json:"agreement"`
}

// purchaseOf is the purchase object of session s.
func purchaseOf(s Order) purchaseJSON {
	p := purchaseJSON{Total: money(s.Total)}
	if s.Checkout != nil {
		c := money(*s.Checkout)
		p.Checkout = &c
	}
	if len(s.Items) > 0 {
		p.VirtualItems = &struct {
			Items    []itemJSON  `json:"items"`
			Currency string      `json:"currency"`
			Amount   json.Number `json:"amount"`
		}{Currency: s.Total.Currency, Amount: money(s.Total).Amount}
		for _, l := range s.Items {
			p.VirtualItems.Items = append(p.VirtualItems.Items, itemJSON{SKU: l.SKU, Amount: l.Quantity})
		}
	}
	return p
}

func (e *Emulator) paymentBody(s Order, tx int64, typ string) []byte {
	p := purchaseOf(s)
	dry := 0
	if s.Sandbox {
		dry = 1
	}
	fee := paykit.Money{Amount: s.Total.Amount * 5 / 100, Currency: s.Total.Currency}
	payout := paykit.Money{Amount: s.Total.Amount - fee.Amount, Currency: s.Total.Currency}
	var refund any // omitted unless a refund
	if typ == xsolla.TypeRefund {
		refund = map[string]any{"code": 1, "reason": "Cancellation from Publisher Account", "author": "emulator"}
	}
	return mustJSON(struct {
		Type           string          `json:"notification_type"`
		Settings       settingsJSON    `json:"settings"`
		Purchase       purchaseJSON    `json:"purchase"`
		User           userJSON        `json:"user"`
		Transaction    txJSON          `json:"transaction"`
		RefundDetails  any             `json:"refund_details,omitempty"`
		PaymentDetails any             `json:"payment_details"`
		Custom         json.RawMessage `json:"custom_parameters,omitempty"`
	}{
		Type: typ, Settings: e.settings(), Purchase: p, User: user(s),
		Transaction: txJSON{ID: tx, ExternalID: s.ExternalID, PaymentDate: e.opts.Now().Format(time.RFC3339),
			PaymentMethod: 1380, PaymentMethodName: "Credit/debit cards", DryRun: dry, Agreement: 1},
		RefundDetails: refund,
		PaymentDetails: map[string]any{
			"payment": money(s.Total), "payout": money(payout), "xsolla_fee": money(fee),
			"payment_method_fee": money(paykit.Money{Currency: s.Total.Currency}),
			"vat":                map[string]any{"currency": s.Total.Currency, "amount": 0, "percent": 0},
			// New payloads send the rate as a string.
			"payout_currency_rate": "1",
		},
		Custom: s.CustomParameters,
	})
}

// orderBody builds order_paid / order_canceled. Amounts are strings, as in
// Xsolla's order payloads; there is no settings object.
func (e *Emulator) orderBody(s Order, status string) []byte {
	type itemJSON struct {
		SKU        string   `json:"sku"`
		Type       string   `json:"type"`
		IsPreOrder bool     `json:"is_pre_order"`
		Quantity   int      `json:"quantity"`
		Amount     string   `json:"amount"`
		Promotions []string `json:"promotions"`
	}
	items := make([]itemJSON, 0, len(s.Items))
	for _, l := range s.Items {
		// items.amount is the total for the quantity (Xsolla's docs).
		total := paykit.Money{Amount: l.Price.Amount * int64(l.Quantity), Currency: l.Price.Currency}
		items = append(items, itemJSON{SKU: l.SKU, Type: "virtual_good", Quantity: l.Quantity,
			Amount: money(total).Amount.String(), Promotions: []string{}})
	}
	mode := "default"
	if s.Sandbox {
		mode = "sandbox"
	}
	typ := xsolla.TypeOrderPaid
	if status == "canceled" {
		typ = xsolla.TypeOrderCanceled
	}
	return mustJSON(map[string]any{
		"notification_type": typ,
		"items":             items,
		"order": map[string]any{
			"id": s.OrderID, "mode": mode, "currency_type": "real", "currency": s.Total.Currency,
			"amount": money(s.Total).Amount.String(), "status": status, "platform": "xsolla", "comment": nil,
			"invoice_id": strconv.FormatInt(s.TransactionID, 10), "promotions": []any{}, "promocodes": []any{},
			"coupons": []any{},
		},
		"user":              map[string]any{"external_id": s.UserID, "email": s.Email},
		"custom_parameters": s.CustomParameters,
	})
}
