// Package emulators runs the provider emulators of paykit's test kits
// (payseratest, checkouttest, vkpaytest, xsollatest, playvisiontest) side
// by side under one path prefix, for the demo shop and the sandbox server.
package emulators

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/paysera/checkout/checkouttest"
	"github.com/paykit-go/paykit/paysera/payseratest"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
)

// Paths of the emulators under Config.Prefix.
const (
	PayseraPath         = "paysera/"
	PayseraCheckoutPath = "paysera-checkout/"
	VKPath              = "vkpay/"
	XsollaPath          = "xsolla/"
	PlayvisionPath      = "playvision/"
)

// Paysera configures the Paysera emulator. Callbacks go to the callbackurl
// of each payment request.
type Paysera struct {
	ProjectID int
	Password  string
	// Signer signs callbacks; nil generates a key (clients then fetch it
	// from the emulator or take Emulator.PublicKeyPEM).
	Signer *payseratest.Signer
}

// PayseraCheckout configures the Paysera Checkout (New) emulator. Webhooks
// go to the callback URL of each order.
type PayseraCheckout struct {
	ClientID, ClientSecret string
}

// VK configures the VK payments emulator.
type VK struct {
	AppID     int64
	Secret    string
	NotifyURL string // the merchant's payment notifications URL
	Test      bool   // send the _test notification types
	// AccessToken is the service token its payments API accepts ("":
	// none, every API call refused).
	AccessToken string
}

// Xsolla configures the Xsolla emulator.
type Xsolla struct {
	MerchantID, ProjectID int
	APIKey, WebhookSecret string
	WebhookURL            string
	Catalog               map[string]paykit.Money
}

// Playvision configures the Playvision emulator.
type Playvision struct {
	AppID       int64
	Secret      string
	CallbackURL string // the app's Payment link
	Test        bool   // send the _test notification types
	// ReturnURL is where the purchase dialog links back to after Pay or
	// Cancel when payment.window brings no return_url; "" for none.
	ReturnURL string
}

// Config selects and configures the emulators; a nil provider is not run.
type Config struct {
	// BaseURL is the externally visible scheme://host[:port] of the server
	// the emulators are mounted in, without a trailing slash.
	BaseURL string
	// Prefix is the path all emulators live under, e.g. "/emulator/";
	// each gets Prefix + its own path (PayseraPath, …).
	Prefix string
	// RetrySchedule replaces every emulator's delays between delivery
	// attempts when not nil (tests pass a few milliseconds); nil keeps
	// each provider's real schedule.
	RetrySchedule []time.Duration
	// HTTPClient sends the notifications; nil means each emulator's
	// default.
	HTTPClient *http.Client
	// DropCallbacks makes every emulator record its callbacks without
	// sending them (payments still go through at the provider), to show
	// and test a lost callback recovered by reconciliation; Resend still
	// sends.
	DropCallbacks bool

	Paysera         *Paysera
	PayseraCheckout *PayseraCheckout
	VK              *VK
	Xsolla          *Xsolla
	Playvision      *Playvision
}

// Set is the running emulators; fields of providers not configured are nil.
type Set struct {
	Paysera         *payseratest.Emulator
	PayseraCheckout *checkouttest.Emulator
	VK              *vkpaytest.Emulator
	Xsolla          *xsollatest.Emulator
	Playvision      *playvisiontest.Emulator

	prefix string
}

// New starts the configured emulators. Close the Set when done.
func New(cfg Config) (*Set, error) {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, errors.New("emulators: BaseURL must be an absolute http(s) URL")
	}
	prefix := "/" + strings.Trim(cfg.Prefix, "/") + "/"
	if prefix == "//" {
		prefix = "/"
	}
	s := &Set{prefix: prefix}
	if err := s.start(cfg, base); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Set) start(cfg Config, base string) error {
	var err error
	if p := cfg.Paysera; p != nil {
		s.Paysera, err = payseratest.New(payseratest.Options{
			ProjectID: p.ProjectID, Password: p.Password, Signer: p.Signer,
			Prefix: s.prefix + PayseraPath, BaseURL: base + s.prefix + strings.TrimSuffix(PayseraPath, "/"),
			RetrySchedule: cfg.RetrySchedule, HTTPClient: cfg.HTTPClient, DropCallbacks: cfg.DropCallbacks,
		})
		if err != nil {
			return err
		}
	}
	if c := cfg.PayseraCheckout; c != nil {
		s.PayseraCheckout, err = checkouttest.New(checkouttest.Options{
			ClientID: c.ClientID, ClientSecret: c.ClientSecret, Test: true,
			Prefix: s.prefix + PayseraCheckoutPath, BaseURL: base + s.prefix + strings.TrimSuffix(PayseraCheckoutPath, "/"),
			RetrySchedule: cfg.RetrySchedule, HTTPClient: cfg.HTTPClient, DropCallbacks: cfg.DropCallbacks,
		})
		if err != nil {
			return err
		}
	}
	if v := cfg.VK; v != nil {
		s.VK, err = vkpaytest.New(vkpaytest.Options{
			AppID: v.AppID, Secret: v.Secret, NotifyURL: v.NotifyURL, Test: v.Test, AccessToken: v.AccessToken,
			Prefix: s.prefix + VKPath, BaseURL: base + s.prefix + strings.TrimSuffix(VKPath, "/"),
			RetrySchedule: cfg.RetrySchedule, HTTPClient: cfg.HTTPClient, DropCallbacks: cfg.DropCallbacks,
		})
		if err != nil {
			return err
		}
	}
	if x := cfg.Xsolla; x != nil {
		s.Xsolla, err = xsollatest.New(xsollatest.Options{
			MerchantID: x.MerchantID, ProjectID: x.ProjectID, APIKey: x.APIKey,
			WebhookSecret: x.WebhookSecret, WebhookURL: x.WebhookURL, Catalog: x.Catalog,
			Prefix: s.prefix + XsollaPath, BaseURL: base + s.prefix + strings.TrimSuffix(XsollaPath, "/"),
			RetrySchedule: cfg.RetrySchedule, HTTPClient: cfg.HTTPClient, DropCallbacks: cfg.DropCallbacks,
		})
		if err != nil {
			return err
		}
	}
	if p := cfg.Playvision; p != nil {
		s.Playvision, err = playvisiontest.New(playvisiontest.Options{
			AppID: p.AppID, Secret: p.Secret, CallbackURL: p.CallbackURL, Test: p.Test,
			ReturnURL: p.ReturnURL,
			Prefix:    s.prefix + PlayvisionPath, BaseURL: base + s.prefix + strings.TrimSuffix(PlayvisionPath, "/"),
			RetrySchedule: cfg.RetrySchedule, HTTPClient: cfg.HTTPClient, DropCallbacks: cfg.DropCallbacks,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Mount registers every running emulator on mux under its prefix.
func (s *Set) Mount(mux *http.ServeMux) {
	if s.Paysera != nil {
		mux.Handle(s.prefix+PayseraPath, s.Paysera)
	}
	if s.PayseraCheckout != nil {
		mux.Handle(s.prefix+PayseraCheckoutPath, s.PayseraCheckout)
	}
	if s.VK != nil {
		mux.Handle(s.prefix+VKPath, s.VK)
	}
	if s.Xsolla != nil {
		mux.Handle(s.prefix+XsollaPath, s.Xsolla)
	}
	if s.Playvision != nil {
		mux.Handle(s.prefix+PlayvisionPath, s.Playvision)
	}
}

// Path returns the mount path of an emulator, e.g. "/emulator/vkpay/".
func (s *Set) Path(p paykit.Provider) string {
	switch p {
	case paykit.Paysera:
		return s.prefix + PayseraPath
	case paykit.PayseraCheckout:
		return s.prefix + PayseraCheckoutPath
	case paykit.VKPay:
		return s.prefix + VKPath
	case paykit.Xsolla:
		return s.prefix + XsollaPath
	case paykit.Playvision:
		return s.prefix + PlayvisionPath
	}
	return ""
}

// URL returns the externally visible base URL of an emulator (its URL
// method: BaseURL plus its path, no trailing slash), or "" when it does
// not run.
func (s *Set) URL(p paykit.Provider) string {
	switch {
	case p == paykit.Paysera && s.Paysera != nil:
		return s.Paysera.URL()
	case p == paykit.PayseraCheckout && s.PayseraCheckout != nil:
		return s.PayseraCheckout.URL()
	case p == paykit.VKPay && s.VK != nil:
		return s.VK.URL()
	case p == paykit.Xsolla && s.Xsolla != nil:
		return s.Xsolla.URL()
	case p == paykit.Playvision && s.Playvision != nil:
		return s.Playvision.URL()
	}
	return ""
}

// Close stops the emulators' deliveries and waits for them.
func (s *Set) Close() {
	if s.Paysera != nil {
		s.Paysera.Close()
	}
	if s.PayseraCheckout != nil {
		s.PayseraCheckout.Close()
	}
	if s.VK != nil {
		s.VK.Close()
	}
	if s.Xsolla != nil {
		s.Xsolla.Close()
	}
	if s.Playvision != nil {
		s.Playvision.Close()
	}
}
