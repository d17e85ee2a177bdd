package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/paysera"
	"github.com/paykit-go/paykit/paysera/checkout"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/xsolla"
)

// providers lists the providers in the order the pages show them: Paysera
// twice, its Classic (WebToPay) flow and its Checkout (New) platform.
var providers = []paykit.Provider{paykit.Paysera, paykit.PayseraCheckout, paykit.VKPay, paykit.Xsolla, paykit.Playvision}

// providerNames are the names shown to the buyer.
var providerNames = map[paykit.Provider]string{
	paykit.Paysera: "Paysera", paykit.PayseraCheckout: "Paysera Checkout", paykit.VKPay: "VK votes",
	paykit.Xsolla: "Xsolla", paykit.Playvision: "Playvision",
}

// Demo credentials of the emulated providers (shared with the sandbox and
// trigger).
const (
	demoPayseraProject   = emulators.DemoPayseraProject
	demoPayseraPassword  = emulators.DemoPayseraPassword
	demoCheckoutClientID = emulators.DemoPayseraCheckoutClientID
	demoCheckoutSecret   = emulators.DemoPayseraCheckoutClientSecret
	demoVKApp            = emulators.DemoVKApp
	demoVKSecret         = emulators.DemoVKSecret
	demoVKToken          = emulators.DemoVKAccessToken
	demoXsollaMerchant   = emulators.DemoXsollaMerchant
	demoXsollaProject    = emulators.DemoXsollaProject
	demoXsollaAPIKey     = emulators.DemoXsollaAPIKey
	demoXsollaSecret     = emulators.DemoXsollaSecret
	demoPlayvisionApp    = emulators.DemoPlayvisionApp
	demoPlayvisionSecret = emulators.DemoPlayvisionSecret

	// demoUser is the buyer's id on the emulated platforms.
	demoUser = 1
)

// gateway is one provider as the shop uses it: the callback handler built
// from the shared hooks and the way a purchase starts.
type gateway struct {
	provider paykit.Provider
	emulated bool
	handler  http.Handler
	// start returns the page where the buyer pays for o, or "" when the
	// purchase is started by the provider's client-side SDK (real VK and
	// Playvision), whose instructions clientSide gives.
	start func(ctx context.Context, o Order) (string, error)
	// resume returns a link to continue a pending payment; nil: PayURL.
	resume func(o Order) string
	// again returns a new payment page for an order the buyer cancelled,
	// where the provider's page cannot be used twice (a cancelled Paysera
	// Checkout link); nil: PayURL serves again.
	again      func(ctx context.Context, o Order) (string, error)
	clientSide string
	// answersBeforeReturn: the provider's payment notification is
	// answered before the buyer is back (VK's purchase window closes only
	// after order_status_change), so a buyer back to an order still
	// awaiting payment left without paying and nothing is to wait for.
	answersBeforeReturn bool
	// check asks the provider about o (reconciliation) and fulfils a
	// payment whose callback never arrived, through the handler's hooks,
	// Store and idempotency key; nil where the provider has no lookup.
	check func(ctx context.Context, o Order) (paykit.Reconciliation, error)
}

// credentials reads a provider's variables: nil when none is set (the
// emulator is used), an error naming the variable that is missing (never a
// value) when only some are.
func credentials(getenv func(string) string, names ...string) ([]string, error) {
	vals := make([]string, len(names))
	var set, missing []string
	for i, n := range names {
		vals[i] = getenv(n)
		if vals[i] == "" {
			missing = append(missing, n)
		} else {
			set = append(set, n)
		}
	}
	switch {
	case len(set) == 0:
		return nil, nil
	case len(missing) > 0:
		return nil, fmt.Errorf("%s is set but %s is missing", set[0], strings.Join(missing, ", "))
	}
	return vals, nil
}

func atoi(name, v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s must be a positive number", name)
	}
	return n, nil
}

// plan holds the credentials of the providers to reach for real; a nil
// entry means that provider runs on its emulator.
type plan struct {
	paysera    []string // PAYSERA_PROJECT_ID, PAYSERA_PASSWORD
	checkout   []string // PAYSERA_CHECKOUT_CLIENT_ID, PAYSERA_CHECKOUT_CLIENT_SECRET
	vk         []string // VK_APP_ID, VK_SECRET
	xsolla     []string // XSOLLA_MERCHANT_ID, XSOLLA_PROJECT_ID, XSOLLA_API_KEY, XSOLLA_WEBHOOK_SECRET
	playvision []string // PLAYVISION_APP_ID, PLAYVISION_SECRET
}

func readPlan(getenv func(string) string) (plan, error) {
	var p plan
	var err error
	if p.paysera, err = credentials(getenv, "PAYSERA_PROJECT_ID", "PAYSERA_PASSWORD"); err != nil {
		return p, err
	}
	if p.checkout, err = credentials(getenv, "PAYSERA_CHECKOUT_CLIENT_ID", "PAYSERA_CHECKOUT_CLIENT_SECRET"); err != nil {
		return p, err
	}
	if p.vk, err = credentials(getenv, "VK_APP_ID", "VK_SECRET"); err != nil {
		return p, err
	}
	if p.xsolla, err = credentials(getenv, "XSOLLA_MERCHANT_ID", "XSOLLA_PROJECT_ID", "XSOLLA_API_KEY", "XSOLLA_WEBHOOK_SECRET"); err != nil {
		return p, err
	}
	if p.playvision, err = credentials(getenv, "PLAYVISION_APP_ID", "PLAYVISION_SECRET"); err != nil {
		return p, err
	}
	return p, nil
}

// emulatorConfig configures an emulator for every provider without
// credentials, sending its callbacks to the shop's callback URLs.
func (p plan) emulatorConfig(base string) emulators.Config {
	cfg := emulators.Config{BaseURL: base, Prefix: "/emulator/"}
	if p.paysera == nil {
		cfg.Paysera = &emulators.Paysera{ProjectID: demoPayseraProject, Password: demoPayseraPassword}
	}
	if p.checkout == nil {
		cfg.PayseraCheckout = &emulators.PayseraCheckout{ClientID: demoCheckoutClientID, ClientSecret: demoCheckoutSecret}
	}
	if p.vk == nil {
		cfg.VK = &emulators.VK{AppID: demoVKApp, Secret: demoVKSecret, NotifyURL: callbackURL(base, paykit.VKPay),
			AccessToken: demoVKToken}
	}
	if p.xsolla == nil {
		cfg.Xsolla = &emulators.Xsolla{
			MerchantID: demoXsollaMerchant, ProjectID: demoXsollaProject, APIKey: demoXsollaAPIKey,
			WebhookSecret: demoXsollaSecret, WebhookURL: callbackURL(base, paykit.Xsolla),
			Catalog: xsollaCatalog(),
		}
	}
	if p.playvision == nil {
		cfg.Playvision = &emulators.Playvision{AppID: demoPlayvisionApp, Secret: demoPlayvisionSecret,
			CallbackURL: callbackURL(base, paykit.Playvision)}
	}
	return cfg
}

// callbackURL is where provider sends its notifications to the shop.
func callbackURL(base string, provider paykit.Provider) string {
	return base + "/callback/" + string(provider)
}

// orderURL is the shop's page of an order, with the page the buyer comes
// back from.
func orderURL(base, id, from string) string {
	u := base + "/orders/" + id
	if from != "" {
		u += "?return=" + url.QueryEscape(from)
	}
	return u
}

func (s *Shop) payseraGateway(vals []string, emu *emulators.Set, getenv func(string) string) (*gateway, error) {
	var cfg paysera.Config
	test := getenv("PAYSERA_TEST") == "1"
	if vals == nil {
		e := emu.Paysera
		cfg = paysera.Config{ProjectID: demoPayseraProject, Password: demoPayseraPassword,
			BaseURL: e.URL(), PublicKeyPEM: e.PublicKeyPEM()}
		test = true
	} else {
		id, err := atoi("PAYSERA_PROJECT_ID", vals[0])
		if err != nil {
			return nil, err
		}
		cfg = paysera.Config{ProjectID: int(id), Password: vals[1], Sandbox: getenv("PAYSERA_SANDBOX") == "1"}
	}
	client, err := paysera.New(cfg)
	if err != nil {
		return nil, err
	}
	base := s.base
	return &gateway{
		provider: paykit.Paysera, emulated: vals == nil, handler: client.Handler(s.hk),
		start: func(_ context.Context, o Order) (string, error) {
			return client.BuildPaymentURL(paysera.PaymentRequest{
				OrderID: o.ID, Amount: o.Amount.Amount, Currency: o.Amount.Currency,
				AcceptURL: orderURL(base, o.ID, "paysera-accept"), CancelURL: orderURL(base, o.ID, "paysera-cancel"),
				CallbackURL: callbackURL(base, paykit.Paysera), PayText: "Order [order_nr] at [site_name]", Test: test,
			})
		},
		resume: func(o Order) string {
			if o.Status != OrderPending {
				return o.PayURL
			}
			u, err := client.BuildRepeatURL(o.ID) // reopens the same payment
			if err != nil {
				return o.PayURL
			}
			return u
		},
	}, nil
}

// checkoutGateway is Paysera Checkout (New): each purchase creates an
// order and a payment link through the REST API; the order's webhooks
// come to the shop's callback URL and the buyer returns to the order page
// (success, failure or cancel).
func (s *Shop) checkoutGateway(vals []string, emu *emulators.Set, getenv func(string) string) (*gateway, error) {
	cfg := checkout.Config{ClientID: demoCheckoutClientID, ClientSecret: demoCheckoutSecret, TestMode: true}
	if vals == nil {
		cfg.BaseURL = emu.PayseraCheckout.URL()
	} else {
		cfg = checkout.Config{ClientID: vals[0], ClientSecret: vals[1], ProjectID: getenv("PAYSERA_CHECKOUT_PROJECT_ID"),
			Sandbox: getenv("PAYSERA_CHECKOUT_SANDBOX") == "1", TestMode: getenv("PAYSERA_CHECKOUT_TEST") == "1"}
	}
	client, err := checkout.New(cfg)
	if err != nil {
		return nil, err
	}
	base := s.base
	var mu sync.Mutex
	orderIDs := map[string]string{} // the shop's order id → Paysera's, for again
	order := func(o Order) checkout.OrderRequest {
		return checkout.OrderRequest{Reference: o.ID, Amount: o.Amount,
			SuccessURL:  orderURL(base, o.ID, "paysera-checkout-success"),
			FailureURL:  orderURL(base, o.ID, "paysera-checkout-failure"),
			CancelURL:   orderURL(base, o.ID, "paysera-checkout-cancel"),
			CallbackURL: callbackURL(base, paykit.PayseraCheckout)}
	}
	rec, err := client.Reconciler(s.hk, checkout.ReconcilerOptions{})
	if err != nil {
		return nil, err
	}
	return &gateway{
		provider: paykit.PayseraCheckout, emulated: vals == nil, handler: client.Handler(s.hk),
		check: func(ctx context.Context, o Order) (paykit.Reconciliation, error) {
			mu.Lock()
			id := orderIDs[o.ID]
			mu.Unlock()
			if id == "" {
				return paykit.Reconciliation{}, fmt.Errorf("order %s: Paysera's order id is unknown", o.ID)
			}
			return rec.Reconcile(ctx, id) // GET order by Paysera's id, kept when the order was created
		},
		start: func(ctx context.Context, o Order) (string, error) {
			// BuildPaymentURL in two steps, to keep Paysera's order id.
			created, err := client.CreateOrder(ctx, order(o))
			if err != nil {
				return "", err
			}
			mu.Lock()
			orderIDs[o.ID] = created.ID
			mu.Unlock()
			return client.BuildPaymentURL(ctx, checkout.PaymentRequest{OrderID: created.ID, Order: order(o)})
		},
		again: func(ctx context.Context, o Order) (string, error) {
			mu.Lock()
			id := orderIDs[o.ID]
			mu.Unlock()
			if id == "" {
				return "", fmt.Errorf("order %s: Paysera's order id is unknown", o.ID)
			}
			// A new link for the same Paysera order.
			return client.BuildPaymentURL(ctx, checkout.PaymentRequest{OrderID: id, Order: order(o)})
		},
	}, nil
}

func (s *Shop) vkGateway(vals []string, emu *emulators.Set, getenv func(string) string) (*gateway, error) {
	cfg := vkpay.Config{AppID: demoVKApp, Secret: demoVKSecret, AccessToken: demoVKToken}
	if vals == nil {
		cfg.APIBaseURL = emu.VK.URL()
	} else {
		id, err := atoi("VK_APP_ID", vals[0])
		if err != nil {
			return nil, err
		}
		cfg = vkpay.Config{AppID: id, Secret: vals[1], AccessToken: getenv("VK_ACCESS_TOKEN")}
	}
	client, err := vkpay.New(cfg)
	if err != nil {
		return nil, err
	}
	g := &gateway{provider: paykit.VKPay, emulated: vals == nil, handler: client.Handler(s.hk),
		clientSide: "In the mini app, call VKWebAppShowOrderBox with type \"item\" and item = the item key below."}
	if cfg.AccessToken != "" {
		rec, err := client.Reconciler(s.hk, vkpay.ReconcilerOptions{})
		if err != nil {
			return nil, err
		}
		g.check = func(ctx context.Context, o Order) (paykit.Reconciliation, error) {
			id, err := strconv.ParseInt(o.ProviderID, 10, 64)
			if err != nil {
				return paykit.Reconciliation{}, errors.New("VK has not told the shop its order id yet (no get_item)")
			}
			return rec.Reconcile(ctx, id)
		}
	}
	if vals == nil {
		g.answersBeforeReturn = true
		page := emu.VK.URL() + "/pay"
		g.start = func(_ context.Context, o Order) (string, error) {
			q := url.Values{"item": {o.ItemKey()}, "user_id": {strconv.Itoa(demoUser)},
				"return_url": {orderURL(s.base, o.ID, "vkpay")}}
			return page + "?" + q.Encode(), nil
		}
	}
	return g, nil
}

func (s *Shop) xsollaGateway(vals []string, emu *emulators.Set, getenv func(string) string) (*gateway, error) {
	var cfg xsolla.Config
	if vals == nil {
		cfg = emu.Xsolla.ClientConfig()
	} else {
		merchant, err := atoi("XSOLLA_MERCHANT_ID", vals[0])
		if err != nil {
			return nil, err
		}
		project, err := atoi("XSOLLA_PROJECT_ID", vals[1])
		if err != nil {
			return nil, err
		}
		cfg = xsolla.Config{MerchantID: int(merchant), ProjectID: int(project), APIKey: vals[2],
			WebhookSecret: vals[3], Sandbox: getenv("XSOLLA_SANDBOX") == "1"}
	}
	client, err := xsolla.New(cfg)
	if err != nil {
		return nil, err
	}
	base := s.base
	rec, err := client.Reconciler(s.hk, xsolla.ReconcilerOptions{})
	if err != nil {
		return nil, err
	}
	return &gateway{
		provider: paykit.Xsolla, emulated: vals == nil, handler: client.Handler(s.hk),
		check: func(ctx context.Context, o Order) (paykit.Reconciliation, error) {
			return rec.Reconcile(ctx, o.ID) // the shop's order id is the token's external_id
		},
		start: func(ctx context.Context, o Order) (string, error) {
			// The v3 payment token: the product is an item of the Xsolla
			// catalog under its SKU. The demo sells in EUR, so the buyer's
			// country is given as DE; a shop with real buyers passes their
			// address as UserIP and lets Xsolla pick the currency.
			return client.BuildPaymentURL(ctx, xsolla.TokenRequest{
				UserID: "shopper-" + strconv.Itoa(demoUser), ExternalID: o.ID,
				Items: []xsolla.ItemQuantity{{SKU: o.SKU, Quantity: 1}}, Country: "DE",
				Currency: o.Amount.Currency, ReturnURL: orderURL(base, o.ID, "xsolla"),
			})
		},
	}, nil
}

// xsollaCatalog prices the shop's products in the Xsolla emulator's
// catalog; against the real Xsolla the same SKUs must exist in Publisher
// Account.
func xsollaCatalog() map[string]paykit.Money {
	m := make(map[string]paykit.Money, len(catalog))
	for _, p := range catalog {
		m[p.SKU] = p.PriceIn(paykit.Xsolla)
	}
	return m
}

func (s *Shop) playvisionGateway(vals []string, emu *emulators.Set) (*gateway, error) {
	cfg := playvision.Config{AppID: demoPlayvisionApp, Secret: demoPlayvisionSecret}
	if vals != nil {
		id, err := atoi("PLAYVISION_APP_ID", vals[0])
		if err != nil {
			return nil, err
		}
		cfg = playvision.Config{AppID: id, Secret: vals[1]}
	} else {
		cfg.BaseURL = emu.Playvision.URL()
	}
	client, err := playvision.New(cfg)
	if err != nil {
		return nil, err
	}
	g := &gateway{provider: paykit.Playvision, emulated: vals == nil, handler: client.Handler(s.hk),
		clientSide: "In the game, open payment.window (playvision.Client.BuildPaymentURL) with the buyer's user id and token and item = the item key below."}
	if vals == nil {
		token := emu.Playvision.Token(demoUser)
		g.start = func(_ context.Context, o Order) (string, error) {
			u, err := client.BuildPaymentURL(playvision.PaymentWindow{UserID: demoUser, Item: o.ItemKey(), Token: token})
			if err != nil {
				return "", err
			}
			// return_url is the emulator's way back after Pay or Cancel;
			// the real dialog closes inside the game instead.
			return u + "&return_url=" + url.QueryEscape(orderURL(s.base, o.ID, "playvision")), nil
		}
	}
	return g, nil
}
