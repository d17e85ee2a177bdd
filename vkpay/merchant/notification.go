package merchant

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// Notification is a verified VK Pay merchant notification (spec B.3). It
// implements [paykit.Notification].
type Notification struct {
	// Version is the protocol version as received ("2-03").
	Version string
	// Data is the base64 data exactly as received and verified.
	Data string
	// JSON is the decoded data, for fields this package does not model.
	JSON   json.RawMessage
	Header Header
	Body   Body
}

// Header is the notification's header.
type Header struct {
	Status   string     `json:"status"`
	TS       Time       `json:"ts"`
	ClientID FlexString `json:"client_id"`
}

// Body is the notification's body.
type Body struct {
	TransactionID string `json:"transaction_id"`
	// NotifyType is TRANSACTION_STATUS in the samples; the field table
	// says payment_delivered / payment_declined.
	NotifyType string `json:"notify_type"`
	Status     Status `json:"status"`
	Added      Time   `json:"added"`
	Paid       Time   `json:"paid"`
	Expires    Time   `json:"expires"`
	// IssuerID is your order id (the form's order_id).
	IssuerID        FlexString `json:"issuer_id"`
	TxnID           FlexString `json:"txn_id"`
	KeepUniq        FlexString `json:"keep_uniq"`
	Amount          Amount     `json:"amount"`
	Currency        string     `json:"currency"`
	PayeeAmount     Amount     `json:"payee_amount"`
	PayeeFeeAmount  Amount     `json:"payee_fee_amount"`
	PayerAmount     Amount     `json:"payer_amount"`
	PayerFeeAmount  Amount     `json:"payer_fee_amount"`
	VirtualAmount   FlexString `json:"virtual_amount"`
	VirtualCurrency string     `json:"virtual_currency"`
	Description     string     `json:"description"`
	PayMethod       string     `json:"pay_method"`
	PaySystemName   string     `json:"pay_system_name"`
	BindID          FlexString `json:"bind_id"`
	PaymentInfo     struct {
		PayerID               FlexString `json:"payer_id"`
		RefundType            string     `json:"refund_type"` // refund or reversal
		RefundedTransactionID string     `json:"refunded_transaction_id"`
	} `json:"payment_info"`
	UserInfo struct {
		UserID  FlexString `json:"user_id"`
		BuyerIP string     `json:"buyer_ip"`
	} `json:"user_info"`
	MerchantID    FlexString      `json:"merchant_id"`
	MerchantName  string          `json:"merchant_name"`
	MerchantParam json.RawMessage `json:"merchant_param"`
	StoreInfo     json.RawMessage `json:"store_info"`
	DeclineReason string          `json:"decline_reason"`
	RefundFor     FlexString      `json:"refund_for"`
	Refunds       json.RawMessage `json:"refunds"`
	GateResponse  json.RawMessage `json:"gate_response"`
	SocialAuth    string          `json:"social_auth"`
}

// IsRefund reports whether the transaction is a refund of another one.
func (n *Notification) IsRefund() bool {
	return n.Body.PaymentInfo.RefundType != "" || n.Body.RefundFor != "" ||
		n.Body.PaymentInfo.RefundedTransactionID != ""
}

// Summary implements [paykit.Notification]: Type is notify_type; Kind is
// refund for refunds, else payment; paid is paid (refunded for a refund),
// new/wait/process/held are pending, rejected/expired/hold_failed/
// hold_canceled are failed; ID is transaction_id, OrderID issuer_id,
// Amount amount in kopecks.
func (n *Notification) Summary() paykit.Summary {
	s := paykit.Summary{
		Provider: paykit.VKPay,
		Type:     n.Body.NotifyType,
		Kind:     paykit.KindPayment,
		ID:       n.Body.TransactionID,
		OrderID:  string(n.Body.IssuerID),
		UserID:   string(n.Body.UserInfo.UserID),
		Amount:   paykit.Money{Amount: int64(n.Body.Amount), Currency: strings.ToUpper(n.Body.Currency)},
	}
	switch n.Body.Status {
	case StatusPaid:
		s.Status = paykit.StatusPaid
	case StatusNew, StatusWait, StatusProcess, StatusHeld:
		s.Status = paykit.StatusPending
	case StatusRejected, StatusExpired, StatusHoldFailed, StatusHoldCanceled:
		s.Status = paykit.StatusFailed
	}
	if n.IsRefund() {
		s.Kind = paykit.KindRefund
		if s.Status == paykit.StatusPaid {
			s.Status = paykit.StatusRefunded
		}
	}
	return s
}

// ParseCallback reads and verifies a merchant notification from r (a
// form POST with data, signature and version), capped at 64 KiB. See
// [Client.ParseValues] for the checks and errors.
func (c *Client) ParseCallback(r *http.Request) (*Notification, error) {
	input, err := form.ReadInput(r, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return c.parseForm(input)
}

// ParseBody is [Client.ParseCallback] for the raw form body, for merchants
// who read the body themselves: the signature is over the data field as
// received. VK Pay signs nothing in headers, so header may be nil; it is
// not read. A body over 64 KiB is refused with [paykit.ErrBodyTooLarge];
// a key given twice with [paykit.ErrMalformed].
func (c *Client) ParseBody(body []byte, header http.Header) (*Notification, error) {
	if len(body) > form.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", paykit.ErrBodyTooLarge, form.DefaultMaxBytes)
	}
	return c.parseForm(body)
}

func (c *Client) parseForm(body []byte) (*Notification, error) {
	values, err := form.Parse(string(body))
	if err != nil {
		return nil, err
	}
	return c.ParseValues(values)
}

// ParseValues verifies a notification's form fields and decodes it. The
// RSA signature (base64) must verify over the data string exactly as
// received, with the payment system's key (Config.PublicKeyPEM or a
// previous key) and Config.RSAHash ([paykit.ErrMissingSignature],
// [paykit.ErrInvalidSignature]). Then data must decode
// ([paykit.ErrMalformed]) and name this merchant in merchant_id, and this
// client in client_id when Config.ClientID is set
// ([paykit.ErrWrongAccount]); a notification without merchant_id is
// refused.
func (c *Client) ParseValues(values url.Values) (*Notification, error) {
	data, sig := values.Get("data"), values.Get("signature")
	if sig == "" {
		return nil, paykit.ErrMissingSignature
	}
	if data == "" {
		return nil, fmt.Errorf("%w: no data", paykit.ErrMalformed)
	}
	if len(c.keys) == 0 {
		return nil, fmt.Errorf("%w: no public key configured", paykit.ErrInvalidSignature)
	}
	raw, err := decodeBase64(sig)
	if err != nil {
		return nil, fmt.Errorf("%w: signature is not base64", paykit.ErrInvalidSignature)
	}
	if err := signature.VerifyRSA([]byte(data), raw, c.keys, c.cfg.RSAHash); err != nil {
		// A sender that did not percent-encode '+' in base64 had it
		// decoded to ' ' by form rules; the signature covers the '+'.
		plus := strings.ReplaceAll(data, " ", "+")
		if plus == data || signature.VerifyRSA([]byte(plus), raw, c.keys, c.cfg.RSAHash) != nil {
			return nil, paykit.ErrInvalidSignature
		}
		data = plus
	}
	n, err := decodeData(data)
	if err != nil {
		return nil, err
	}
	n.Version = values.Get("version")
	if err := c.checkAccount(n); err != nil {
		return nil, err
	}
	return n, nil
}

// decodeData decodes the verified base64 data of a notification.
func decodeData(data string) (*Notification, error) {
	js, err := decodeBase64(data)
	if err != nil {
		return nil, fmt.Errorf("%w: data is not base64", paykit.ErrMalformed)
	}
	n := &Notification{Data: data, JSON: js}
	var env struct {
		Header *Header `json:"header"`
		Body   *Body   `json:"body"`
	}
	env.Header, env.Body = &n.Header, &n.Body
	if err := json.Unmarshal(js, &env); err != nil {
		return nil, fmt.Errorf("%w: data: %w", paykit.ErrMalformed, err)
	}
	if n.Body.TransactionID == "" {
		return nil, fmt.Errorf("%w: no transaction_id", paykit.ErrMalformed)
	}
	return n, nil
}

// checkAccount refuses a notification that does not name this merchant.
// VK Pay signs every merchant's notifications with the same RSA key, so a
// valid signature proves only that VK Pay sent it, not to whom: a
// notification of another merchant replayed here must not verify. The body
// must therefore carry merchant_id (spec B.3) equal to Config.MerchantID
// (which [New] requires); a missing or empty merchant_id is refused too.
// client_id is checked as well when Config.ClientID is set.
func (c *Client) checkAccount(n *Notification) error {
	if m := string(n.Body.MerchantID); m != c.account {
		if m == "" {
			return fmt.Errorf("%w: no merchant_id", paykit.ErrWrongAccount)
		}
		return fmt.Errorf("%w: merchant_id %q", paykit.ErrWrongAccount, form.Clip(m))
	}
	if c.cfg.ClientID != 0 && n.Header.ClientID != "" &&
		string(n.Header.ClientID) != strconv.FormatInt(c.cfg.ClientID, 10) {
		return fmt.Errorf("%w: client_id %q", paykit.ErrWrongAccount, form.Clip(string(n.Header.ClientID)))
	}
	return nil
}

// decodeBase64 accepts standard base64 with or without padding, and the
// URL-safe alphabet, as form transport sometimes turns '+' into ' '.
func decodeBase64(s string) ([]byte, error) {
	s = strings.ReplaceAll(s, " ", "+")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("not base64")
}
