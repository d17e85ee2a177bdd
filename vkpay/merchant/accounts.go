package merchant

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
	"github.com/paykit-go/paykit/internal/form"
)

// Accounts is one callback endpoint for several VK Pay merchants: the
// merchant_id a notification's data carries picks the merchant whose
// keys verify it, and that merchant's [Client] checks everything (the RSA
// signature with its contract keys, merchant_id, client_id) before
// anything is trusted. A notification for a merchant not among them is
// [paykit.ErrWrongAccount], answered ERR_ARGUMENTS signed with the first
// merchant's key (the merchant it names is not served here); any other
// refusal is answered by the merchant the notification names, signed with
// its key. Its handler is one engine with one Store; each notification is
// keyed by the merchant that verified it, so the same transaction_id under
// two merchants is fulfilled twice, once per merchant.
type Accounts struct {
	set *callback.Set[*Client]
}

// NewAccounts returns the endpoint of clients. No client, a nil client or
// two clients of the same merchant is a *[paykit.FieldError] matching
// [paykit.ErrInvalidRequest].
func NewAccounts(clients ...*Client) (*Accounts, error) {
	set, err := callback.Clients(clients)
	if err != nil {
		return nil, err
	}
	return &Accounts{set: set}, nil
}

// Client returns the client of the merchant whose [Client.Account] is
// account ("merchant:<MerchantID>").
func (a *Accounts) Client(account string) (*Client, bool) { return a.set.Get(account) }

// ParseCallback is [Client.ParseCallback] of the merchant the
// notification names.
func (a *Accounts) ParseCallback(r *http.Request) (*Notification, error) {
	input, again, err := callback.ReadInput(r, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return a.parse(input, func(c *Client) (*Notification, error) { return c.ParseCallback(again()) })
}

// ParseBody is [Client.ParseBody] of the merchant the notification names.
func (a *Accounts) ParseBody(body []byte, header http.Header) (*Notification, error) {
	if len(body) > form.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", paykit.ErrBodyTooLarge, form.DefaultMaxBytes)
	}
	return a.parse(body, func(c *Client) (*Notification, error) { return c.ParseBody(body, header) })
}

func (a *Accounts) parse(input []byte, parse func(*Client) (*Notification, error)) (*Notification, error) {
	account, err := peekMerchant(nil, input)
	if err != nil {
		return nil, err
	}
	return callback.Try(a.set, account, parse)
}

// IdempotencyKey is [Client.IdempotencyKey] of the merchant n belongs to;
// "" for a notification of no merchant here.
func (a *Accounts) IdempotencyKey(n paykit.Notification) string {
	if c, ok := a.set.Get(merchantOf(n)); ok {
		return c.IdempotencyKey(n)
	}
	return ""
}

// Handler is [Accounts.HandlerWith] with zero options.
func (a *Accounts) Handler(hooks paykit.Hooks) http.Handler {
	return a.HandlerWith(hooks, HandlerOptions{})
}

// HandlerWith returns the handler of every merchant: [Client.HandlerWith]'s
// answers and hooks, with the merchant picked per notification and each
// answer signed with its key.
func (a *Accounts) HandlerWith(hooks paykit.Hooks, opts HandlerOptions) http.Handler {
	return callback.Join(a.set, peekMerchant, merchantOf, func(c *Client) (callback.Protocol, callback.Settings) {
		return c.engine(hooks, opts)
	})
}

// peekMerchant reads body.merchant_id from the data of a raw, unverified
// form, in the form of [Client.Account], only to pick the client that
// verifies it. An unreadable form is refused as every client would refuse
// it; data that does not decode, or names no merchant, names no account
// (""): every merchant tries it, and each refuses it.
func peekMerchant(_ *http.Request, input []byte) (string, error) {
	values, err := form.Parse(string(input))
	if err != nil {
		return "", err
	}
	js, err := decodeBase64(values.Get("data"))
	if err != nil {
		return "", nil
	}
	var env struct {
		Body struct {
			MerchantID FlexString `json:"merchant_id"`
		} `json:"body"`
	}
	if json.Unmarshal(js, &env) != nil || env.Body.MerchantID == "" {
		return "", nil
	}
	return "merchant:" + string(env.Body.MerchantID), nil
}

// merchantOf is the account of a verified notification: its merchant_id.
func merchantOf(n paykit.Notification) string {
	m, ok := n.(*Notification)
	if !ok || m == nil {
		return ""
	}
	return "merchant:" + string(m.Body.MerchantID)
}
