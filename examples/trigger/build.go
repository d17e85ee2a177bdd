package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/paysera"
	"github.com/paykit-go/paykit/paysera/payseratest"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// notification is a signed request and how its provider tells an
// acceptance from a refusal in the receiver's answer.
type notification struct {
	req     *http.Request
	accepts func(status int, body []byte) bool
}

// buildRequest builds the signed notification c describes.
func buildRequest(ctx context.Context, c config) (notification, error) {
	var n notification
	var err error
	switch c.provider {
	case string(paykit.Paysera):
		n.req, err = payseraRequest(ctx, c)
		n.accepts = func(status int, body []byte) bool {
			return status == http.StatusOK && bytes.HasPrefix(body, []byte("OK"))
		}
	case checkoutProvider:
		n.req, err = checkoutRequest(ctx, c)
		n.accepts = func(status int, _ []byte) bool { return status/100 == 2 }
	case string(paykit.VKPay):
		n.req, err = vkRequest(ctx, c)
		n.accepts = vkAccepts
	case merchantProvider:
		n.req, err = merchantRequest(ctx, c)
		n.accepts = merchantAccepts
	case string(paykit.Xsolla):
		n.req, err = xsollaRequest(ctx, c)
		n.accepts = func(status int, _ []byte) bool { return status/100 == 2 }
	case string(paykit.Playvision):
		n.req, err = playvisionRequest(ctx, c)
		n.accepts = playvisionAccepts
	default:
		return n, fmt.Errorf("unknown provider %q (want paysera, paysera_checkout, vkpay, vkpay-merchant, xsolla or playvision)", c.provider)
	}
	return n, err
}

// vkAccepts: VK's success is {"response":…}; a refusal is {"error":…}.
func vkAccepts(status int, body []byte) bool {
	var reply struct {
		Response json.RawMessage `json:"response"`
		Error    json.RawMessage `json:"error"`
	}
	return status == http.StatusOK && json.Unmarshal(body, &reply) == nil && reply.Response != nil && reply.Error == nil
}

// playvisionAccepts: a Playvision refusal is status "-1"; success is
// status "1", or the item itself for get_item (no status).
func playvisionAccepts(status int, body []byte) bool {
	var reply struct {
		Status json.RawMessage `json:"status"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &reply) != nil {
		return false
	}
	s := string(reply.Status)
	return s == "" || s == `"1"` || s == "1"
}

// orDefault returns v, or def when v is empty or zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// number parses a flag that must be a positive decimal number.
func number(name, v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("-%s must be a positive number, got %q", name, v)
	}
	return n, nil
}

// amountOr returns -amount, or def (the demo shop's price) when unset.
func amountOr(c config, def int64) int64 { return orDefault(c.amount, def) }

// itemOf returns -item, or the demo shop's first product.
func itemOf(c config) string { return orDefault(c.item, emulators.DemoItem) }

// currencyOf returns -currency in upper case, or def.
func currencyOf(c config, def string) string { return strings.ToUpper(orDefault(c.currency, def)) }

// baseType strips a "_test" suffix, which also asks for the test variant.
func baseType(c *config, def string) string {
	t := orDefault(c.typ, def)
	if b, ok := strings.CutSuffix(t, "_test"); ok {
		c.test = true
		return b
	}
	return t
}

func formRequest(ctx context.Context, target string, body string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// payseraRequest builds a macro or micro callback: a GET with data and
// either ss1/ss2/ss3 (with -paysera-key) or AES-GCM encrypted data.
func payseraRequest(ctx context.Context, c config) (*http.Request, error) {
	project := int(orDefault(c.account, emulators.DemoPayseraProject))
	password := orDefault(c.secret, emulators.DemoPayseraPassword)
	var fields payseratest.Fields
	amount, cur := amountOr(c, emulators.DemoPrice), currencyOf(c, emulators.DemoCurrency)
	switch baseType(&c, paysera.TypeMacro) {
	case paysera.TypeMacro:
		m := payseratest.Macro{
			OrderID: orDefault(c.order, "1001"), RequestID: c.id, Amount: amount,
			Currency: cur, Status: paysera.Status(orDefault(c.status, "1")), Test: c.test,
		}
		if m.Status == paysera.StatusRefunded {
			m.Extra = payseratest.Fields{{Key: "refund_timestamp", Value: fmt.Sprint(time.Now().Unix())},
				{Key: "refund_amount", Value: fmt.Sprint(amount)}, {Key: "refund_currency", Value: cur},
				{Key: "refund_commission_amount", Value: "0"}, {Key: "refund_commission_currency", Value: cur}}
		}
		fields = m.Fields(project)
	case paysera.TypeMicro:
		fields = payseratest.Micro{ID: c.id, To: "1398", From: "+37060000000", Text: "SHOP " + c.order, Key: "SHOP",
			Operator: "emulator", Amount: amount, Currency: cur, Country: "lt", Test: c.test,
		}.Fields(project)
	default:
		return nil, fmt.Errorf("paysera types are macro and micro, not %q", c.typ)
	}
	signer := &payseratest.Signer{ProjectID: project, Password: password}
	var params url.Values
	var err error
	if c.payseraKeyFile != "" {
		pem, err := os.ReadFile(c.payseraKeyFile)
		if err != nil {
			return nil, err
		}
		if signer, err = payseratest.NewSignerWithKey(project, password, pem); err != nil {
			return nil, err
		}
		params, err = signer.Sign(fields, payseratest.AllSignatures)
		if err != nil {
			return nil, err
		}
	} else if params, err = signer.Encrypt(fields); err != nil {
		return nil, err
	}
	return http.NewRequestWithContext(ctx, http.MethodGet, payseratest.CallbackURL(c.target, params), nil)
}

// vkRequest builds a VK payments notification (form POST).
func vkRequest(ctx context.Context, c config) (*http.Request, error) {
	typ := baseType(&c, vkpay.TypeOrderStatusChange)
	s := vkpaytest.Signer{AppID: orDefault(c.account, emulators.DemoVKApp), Secret: orDefault(c.secret, emulators.DemoVKSecret),
		Version: "5.132", Test: c.test}
	user, err := number("user", c.user)
	if err != nil {
		return nil, err
	}
	id, err := number("id", c.id)
	if err != nil && typ != vkpay.TypeSubscriptionStatusChange {
		return nil, err
	}
	item, price := itemOf(c), amountOr(c, emulators.DemoVotes)
	var params url.Values
	switch typ {
	case vkpay.TypeGetItem:
		params = s.GetItem(item, user, id, "en_US")
	case vkpay.TypeGetSubscription:
		params = s.GetSubscription(item, user, id, "en_US")
	case vkpay.TypeOrderStatusChange:
		params = s.OrderStatusChange(vkpaytest.OrderParams{ID: id, UserID: user, Item: item, ItemID: item,
			Title: item, Price: price, Date: time.Now()}, vkpay.OrderStatus(orDefault(c.status, "chargeable")))
	case vkpay.TypeSubscriptionStatusChange:
		params = s.SubscriptionStatusChange(vkpaytest.SubscriptionParams{SubscriptionID: c.id, UserID: user,
			Status: vkpay.SubscriptionStatus(orDefault(c.status, "chargeable")), ItemID: item, Price: price,
			NextBillTime: time.Now().Add(30 * 24 * time.Hour)})
	default:
		return nil, fmt.Errorf("vkpay types are get_item, order_status_change, get_subscription and subscription_status_change (VK Pay: -provider vkpay-merchant), not %q", c.typ)
	}
	return formRequest(ctx, c.target, params.Encode())
}

// playvisionRequest builds a Playvision notification (form POST).
func playvisionRequest(ctx context.Context, c config) (*http.Request, error) {
	app := orDefault(c.account, emulators.DemoPlayvisionApp)
	s := playvisiontest.Signer{Secret: orDefault(c.secret, emulators.DemoPlayvisionSecret)}
	user, err := number("user", c.user)
	if err != nil {
		return nil, err
	}
	item := itemOf(c)
	var params url.Values
	switch baseType(&c, playvision.TypeOrderStatusChange) {
	case playvision.TypeGetItem:
		params = playvisiontest.GetItem{AppID: app, UserID: user, Item: item, Test: c.test}.Params()
	case playvision.TypeOrderStatusChange:
		tx, err := number("id", c.id)
		if err != nil {
			return nil, err
		}
		params = playvisiontest.OrderStatusChange{UserID: user, TransactionID: tx, Sum: amountOr(c, emulators.DemoPlayGold), ItemID: item,
			Time: time.Now(), Test: c.test}.Params()
	default:
		return nil, fmt.Errorf("playvision types are get_item and order_status_change, not %q", c.typ)
	}
	return formRequest(ctx, c.target, s.Body(params))
}
