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
	"github.com/paykit-go/paykit/xsolla"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
)

// buildRequest builds the signed notification c describes.
func buildRequest(ctx context.Context, c config) (*http.Request, error) {
	switch paykit.Provider(c.provider) {
	case paykit.Paysera:
		return payseraRequest(ctx, c)
	case paykit.VKPay:
		return vkRequest(ctx, c)
	case paykit.Xsolla:
		return xsollaRequest(ctx, c)
	case paykit.Playvision:
		return playvisionRequest(ctx, c)
	}
	return nil, fmt.Errorf("unknown provider %q (want paysera, vkpay, xsolla or playvision)", c.provider)
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
	switch baseType(&c, paysera.TypeMacro) {
	case paysera.TypeMacro:
		fields = payseratest.Macro{
			OrderID: orDefault(c.order, "1001"), RequestID: c.id, Amount: c.amount,
			Currency: strings.ToUpper(c.currency), Status: paysera.Status(orDefault(c.status, "1")), Test: c.test,
		}.Fields(project)
	case paysera.TypeMicro:
		fields = payseratest.Micro{ID: c.id, To: "1398", From: "+37060000000", Text: "SHOP " + c.order, Key: "SHOP",
			Operator: "emulator", Amount: c.amount, Currency: strings.ToUpper(c.currency), Country: "lt", Test: c.test,
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
	item := orDefault(c.item, "order-1001")
	var params url.Values
	switch typ {
	case vkpay.TypeGetItem:
		params = s.GetItem(item, user, id, "en_US")
	case vkpay.TypeGetSubscription:
		params = s.GetSubscription(item, user, id, "en_US")
	case vkpay.TypeOrderStatusChange:
		params = s.OrderStatusChange(vkpaytest.OrderParams{ID: id, UserID: user, Item: item, ItemID: item,
			Title: item, Price: c.amount, Date: time.Now()}, vkpay.OrderStatus(orDefault(c.status, "chargeable")))
	case vkpay.TypeSubscriptionStatusChange:
		params = s.SubscriptionStatusChange(vkpaytest.SubscriptionParams{SubscriptionID: c.id, UserID: user,
			Status: vkpay.SubscriptionStatus(orDefault(c.status, "chargeable")), ItemID: item, Price: c.amount,
			NextBillTime: time.Now().Add(30 * 24 * time.Hour)})
	default:
		return nil, fmt.Errorf("vkpay types are get_item, order_status_change, get_subscription and subscription_status_change, not %q", c.typ)
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
	item := orDefault(c.item, "order-1001")
	var params url.Values
	switch baseType(&c, playvision.TypeOrderStatusChange) {
	case playvision.TypeGetItem:
		params = playvisiontest.GetItem{AppID: app, UserID: user, Item: item, Test: c.test}.Params()
	case playvision.TypeOrderStatusChange:
		tx, err := number("id", c.id)
		if err != nil {
			return nil, err
		}
		params = playvisiontest.OrderStatusChange{UserID: user, TransactionID: tx, Sum: c.amount, ItemID: item,
			Time: time.Now(), Test: c.test}.Params()
	default:
		return nil, fmt.Errorf("playvision types are get_item and order_status_change, not %q", c.typ)
	}
	return formRequest(ctx, c.target, s.Body(params))
}

// xsollaRequest builds an Xsolla webhook: a JSON POST signed in the
// Authorization header.
func xsollaRequest(ctx context.Context, c config) (*http.Request, error) {
	project := orDefault(c.account, emulators.DemoXsollaProject)
	merchant := orDefault(c.merchant, emulators.DemoXsollaMerchant)
	money := paykit.Money{Amount: c.amount, Currency: strings.ToUpper(c.currency)}
	amount, err := xsolla.FormatAmount(money)
	if err != nil {
		return nil, fmt.Errorf("-amount/-currency: %w", err)
	}
	body, err := xsollaBody(baseType(&c, xsolla.TypePayment), c, project, merchant, amount)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", xsollatest.Signer{Secret: orDefault(c.secret, emulators.DemoXsollaSecret)}.Header(body))
	return req, nil
}

// xsollaBody renders the webhook body of typ in Xsolla's shape.
func xsollaBody(typ string, c config, project, merchant int64, amount string) ([]byte, error) {
	settings := map[string]any{"project_id": project, "merchant_id": merchant}
	user := map[string]any{"id": c.user, "ip": "127.0.0.1"}
	cur := strings.ToUpper(c.currency)
	money := map[string]any{"currency": cur, "amount": json.Number(amount)}
	dry := 0
	if c.test {
		dry = 1
	}
	tx, err := number("id", c.id)
	if err != nil {
		return nil, err
	}
	switch typ {
	case xsolla.TypeUserValidation:
		return json.Marshal(map[string]any{"notification_type": typ, "settings": settings, "user": user})
	case xsolla.TypePayment, xsolla.TypeRefund:
		b := map[string]any{
			"notification_type": typ, "settings": settings, "user": user,
			"purchase": map[string]any{"checkout": money, "total": money},
			"transaction": map[string]any{"id": tx, "external_id": c.order, "dry_run": dry, "agreement": 1,
				"payment_date": time.Now().UTC().Format(time.RFC3339), "payment_method": 1380},
			"payment_details": map[string]any{"payment": money},
		}
		if typ == xsolla.TypeRefund {
			b["refund_details"] = map[string]any{"code": 1, "reason": "Cancellation from Publisher Account", "author": "trigger"}
		}
		return json.Marshal(b)
	case xsolla.TypeOrderPaid, xsolla.TypeOrderCanceled:
		mode, status := "default", "paid"
		if c.test {
			mode = "sandbox"
		}
		if typ == xsolla.TypeOrderCanceled {
			status = "canceled"
		}
		return json.Marshal(map[string]any{
			"notification_type": typ,
			"items": []any{map[string]any{"sku": orDefault(c.item, "item"), "type": "virtual_good", "quantity": 1,
				"amount": amount, "is_pre_order": false, "promotions": []any{}}},
			"order": map[string]any{"id": tx, "mode": mode, "currency_type": "real", "currency": cur, "amount": amount,
				"status": status, "platform": "xsolla",
				// Xsolla's invoice id is the transaction id: the payment
				// webhook of the same purchase carries it as transaction.id.
				// The merchant's order id is not in order_paid.
				"invoice_id": tx},
			"user": map[string]any{"external_id": c.user},
		})
	}
	return nil, fmt.Errorf("xsolla types are user_validation, payment, refund, order_paid and order_canceled, not %q", c.typ)
}
