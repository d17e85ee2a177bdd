package merchant

import (
	"encoding/base64"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
)

// Limits of the payment form (spec B.1).
const (
	MinAmount            = 100 // kopecks: 1 ₽
	MaxDescriptionLength = 50  // characters
	MaxCashbackPercent   = 5
	// MaxTSAge is how far in the past the form's ts may be.
	MaxTSAge = time.Hour
	// ActionPayToService is the VKWebAppOpenPayForm action for merchants.
	ActionPayToService = "pay-to-service"
	// FormVersion is the params version.
	FormVersion = 2
)

// PayRequest describes one payment to open with VKWebAppOpenPayForm.
type PayRequest struct {
	// OrderID is your order id, unique per form: VK Pay ignores a repeat
	// of an id it already processed. It comes back as issuer_id.
	OrderID string
	// Amount is in kopecks; at least 100 (1 ₽).
	Amount int64
	// Currency is "RUB" (the only one accepted); "" means RUB.
	Currency string
	// Description is shown to the payer: required, at most 50 characters.
	Description string
	// UserID is the VK user id of the payer; optional.
	UserID int64
	// Cashback is optional.
	Cashback *Cashback
	// Data are extra fields of the form's data object; VK Pay returns
	// them in the notification's merchant_param.
	Data map[string]string
	// TS is the request time; zero means now. It must be no older than
	// an hour when the form is opened.
	TS time.Time
}

// Cashback returns part of a payment to the payer: set AmountPercent
// (1..5) or Amount (kopecks, at most 5 % of the payment), not both.
type Cashback struct {
	PayTime       time.Time
	AmountPercent int
	Amount        int64
}

// FormParams are the params of VKWebAppOpenPayForm. Build them with
// [Client.PayForm]; the fields are exported so that a form can be checked
// or re-signed.
type FormParams struct {
	// Amount in kopecks, rendered in rubles ("amount":1.5).
	Amount      int64
	Description string
	MerchantID  int64
	Version     int
	UserID      int64 // 0: omitted
	Data        FormData
	// Sign is the app signature over the other params ([AppSign] of
	// Canonical).
	Sign string
}

// FormData is the params' data object, rendered with its keys in
// alphabetical order as VK requires.
type FormData struct {
	OrderID      string
	TS           int64
	Currency     string
	MerchantData string // base64 of {order_id, cashback, ts, amount, currency}
	MerchantSign string
	Cashback     *Cashback
	Extra        map[string]string
}

// PayForm is the whole argument of bridge.send('VKWebAppOpenPayForm', …):
// marshal it to JSON and hand it to the mini app.
type PayForm struct {
	AppID  int64       `json:"app_id,omitempty"`
	Action string      `json:"action"`
	Params *FormParams `json:"params"`
}

var reservedData = map[string]bool{"cashback": true, "currency": true, "merchant_data": true,
	"merchant_sign": true, "order_id": true, "ts": true}

// PayForm validates req and returns the signed form: merchant_data and
// merchant_sign with Config.MerchantKey, the app sign with
// Config.AppSecret. Errors match [paykit.ErrInvalidRequest] and name the
// field.
func (c *Client) PayForm(req PayRequest) (*PayForm, error) {
	if c.cfg.AppSecret == "" {
		return nil, &paykit.FieldError{Field: "AppSecret", Reason: "is required to sign forms"}
	}
	now := c.cfg.Now()
	if err := validatePay(&req, now); err != nil {
		return nil, err
	}
	ts := req.TS
	if ts.IsZero() {
		ts = now
	}
	p := &FormParams{
		Amount:      req.Amount,
		Description: req.Description,
		MerchantID:  c.cfg.MerchantID,
		Version:     FormVersion,
		UserID:      req.UserID,
		Data: FormData{
			OrderID:  req.OrderID,
			TS:       ts.Unix(),
			Currency: "RUB",
			Cashback: req.Cashback,
			Extra:    req.Data,
		},
	}
	p.Data.MerchantData = base64.StdEncoding.EncodeToString(merchantDataJSON(p))
	p.Data.MerchantSign = MerchantSign(p.Data.MerchantData, c.cfg.MerchantKey, c.cfg.Hash)
	p.Sign = AppSign(p.Canonical(), c.cfg.AppSecret)
	return &PayForm{AppID: c.cfg.AppID, Action: ActionPayToService, Params: p}, nil
}

func validatePay(req *PayRequest, now time.Time) error {
	switch {
	case req.OrderID == "" || !utf8.ValidString(req.OrderID):
		return &paykit.FieldError{Field: "order_id", Reason: "is required"}
	case req.Amount < MinAmount:
		return &paykit.FieldError{Field: "amount", Reason: "must be at least 1 RUB (100 kopecks)"}
	case req.Currency != "" && req.Currency != "RUB":
		return &paykit.FieldError{Field: "currency", Reason: "must be RUB"}
	case req.Description == "" || !utf8.ValidString(req.Description):
		return &paykit.FieldError{Field: "description", Reason: "is required"}
	case utf8.RuneCountInString(req.Description) > MaxDescriptionLength:
		return &paykit.FieldError{Field: "description", Reason: "is longer than 50 characters"}
	case req.UserID < 0:
		return &paykit.FieldError{Field: "user_id", Reason: "must not be negative"}
	case !req.TS.IsZero() && (req.TS.Before(now.Add(-MaxTSAge)) || req.TS.After(now.Add(time.Minute))):
		return &paykit.FieldError{Field: "ts", Reason: "must be within the last hour"}
	}
	if cb := req.Cashback; cb != nil {
		switch {
		case cb.PayTime.IsZero():
			return &paykit.FieldError{Field: "cashback.pay_time", Reason: "is required"}
		case (cb.AmountPercent == 0) == (cb.Amount == 0):
			return &paykit.FieldError{Field: "cashback", Reason: "needs exactly one of amount_percent and amount"}
		case cb.AmountPercent < 0 || cb.AmountPercent > MaxCashbackPercent:
			return &paykit.FieldError{Field: "cashback.amount_percent", Reason: "must be 1..5"}
		case cb.Amount < 0 || cb.Amount*100 > req.Amount*MaxCashbackPercent:
			return &paykit.FieldError{Field: "cashback.amount", Reason: "must be at most 5% of the payment"}
		}
	}
	for k := range req.Data {
		if k == "" || reservedData[k] || !utf8.ValidString(k) {
			return &paykit.FieldError{Field: "data", Reason: "has an empty or reserved key"}
		}
	}
	return nil
}

// merchantDataJSON renders merchant_data in the key order and types of
// the docs' pay-to-service example: order_id, cashback, ts, amount,
// currency.
func merchantDataJSON(p *FormParams) []byte {
	b := append([]byte(nil), `{"order_id":`...)
	b = appendString(b, p.Data.OrderID)
	if p.Data.Cashback != nil {
		b = append(b, `,"cashback":`...)
		b = appendCashback(b, p.Data.Cashback)
	}
	b = append(b, `,"ts":`...)
	b = appendString(b, strconv.FormatInt(p.Data.TS, 10))
	b = append(b, `,"amount":`...)
	b = append(b, formatRubles(p.Amount)...)
	b = append(b, `,"currency":`...)
	b = appendString(b, p.Data.Currency)
	return append(b, '}')
}

func appendCashback(b []byte, cb *Cashback) []byte {
	b = append(b, `{"pay_time":`...)
	b = strconv.AppendInt(b, cb.PayTime.Unix(), 10)
	if cb.AmountPercent != 0 {
		b = append(b, `,"amount_percent":`...)
		b = appendString(b, strconv.Itoa(cb.AmountPercent))
	} else {
		b = append(b, `,"amount":`...)
		b = append(b, formatRubles(cb.Amount)...)
	}
	return append(b, '}')
}

// AppendDataJSON appends the data object as compact JSON with its keys in
// alphabetical order, exactly as it is signed and sent.
func (d *FormData) AppendDataJSON(b []byte) []byte {
	keys := make([]string, 0, 6+len(d.Extra))
	for k := range d.Extra {
		if !reservedData[k] {
			keys = append(keys, k)
		}
	}
	keys = append(keys, "currency", "merchant_data", "merchant_sign", "order_id", "ts")
	if d.Cashback != nil {
		keys = append(keys, "cashback")
	}
	sort.Strings(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		switch k {
		case "cashback":
			b = appendCashback(b, d.Cashback)
		case "currency":
			b = appendString(b, d.Currency)
		case "merchant_data":
			b = appendString(b, d.MerchantData)
		case "merchant_sign":
			b = appendString(b, d.MerchantSign)
		case "order_id":
			b = appendString(b, d.OrderID)
		case "ts":
			b = appendString(b, strconv.FormatInt(d.TS, 10))
		default:
			b = appendString(b, d.Extra[k])
		}
	}
	return append(b, '}')
}

// Canonical returns the string the app sign covers: key=value over the
// params sorted by key, without action and sign, with no separator; data
// is its compact JSON (spec B.2).
func (p *FormParams) Canonical() string {
	b := make([]byte, 0, 512)
	b = append(b, "amount="...)
	b = append(b, formatRubles(p.Amount)...)
	b = append(b, "data="...)
	b = p.Data.AppendDataJSON(b)
	b = append(b, "description="...)
	b = append(b, p.Description...)
	b = append(b, "merchant_id="...)
	b = strconv.AppendInt(b, p.MerchantID, 10)
	if p.UserID != 0 {
		b = append(b, "user_id="...)
		b = strconv.AppendInt(b, p.UserID, 10)
	}
	b = append(b, "version="...)
	b = strconv.AppendInt(b, int64(p.Version), 10)
	return string(b)
}

// MarshalJSON renders the params for VKWebAppOpenPayForm, with data in the
// signed rendering.
func (p *FormParams) MarshalJSON() ([]byte, error) {
	b := append([]byte(nil), `{"amount":`...)
	b = append(b, formatRubles(p.Amount)...)
	b = append(b, `,"data":`...)
	b = p.Data.AppendDataJSON(b)
	b = append(b, `,"description":`...)
	b = appendString(b, p.Description)
	b = append(b, `,"action":"`+ActionPayToService+`","merchant_id":`...)
	b = strconv.AppendInt(b, p.MerchantID, 10)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(p.Version), 10)
	b = append(b, `,"sign":`...)
	b = appendString(b, p.Sign)
	if p.UserID != 0 {
		b = append(b, `,"user_id":`...)
		b = strconv.AppendInt(b, p.UserID, 10)
	}
	return append(b, '}'), nil
}
