package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/xsolla"
	"github.com/paykit-go/paykit/xsolla/xsollatest"
)

// xsollaRequest builds an Xsolla webhook: a JSON POST signed in the
// Authorization header.
func xsollaRequest(ctx context.Context, c config) (*http.Request, error) {
	w, err := newXsollaWebhook(c)
	if err != nil {
		return nil, err
	}
	build, ok := xsollaBodies[baseType(&c, xsolla.TypePayment)]
	if !ok {
		return nil, fmt.Errorf("xsolla types are %s, not %q", strings.Join(xsollaTypes(), ", "), c.typ)
	}
	w.c = c
	body, err := json.Marshal(build(w))
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

// xsollaWebhook holds what every webhook body is built from.
type xsollaWebhook struct {
	c        config
	settings map[string]any
	amount   string // in major units, Xsolla's text
	currency string
	tx       int64
}

func newXsollaWebhook(c config) (xsollaWebhook, error) {
	w := xsollaWebhook{c: c, currency: currencyOf(c, emulators.DemoCurrency), settings: map[string]any{
		"project_id":  orDefault(c.account, emulators.DemoXsollaProject),
		"merchant_id": orDefault(c.merchant, emulators.DemoXsollaMerchant),
	}}
	var err error
	if w.amount, err = xsolla.FormatAmount(paykit.Money{Amount: amountOr(c, emulators.DemoPrice), Currency: w.currency}); err != nil {
		return w, fmt.Errorf("-amount/-currency: %w", err)
	}
	if w.tx, err = number("id", c.id); err != nil {
		return w, err
	}
	return w, nil
}

// xsollaTypes lists the webhook types trigger sends, sorted.
func xsollaTypes() []string {
	out := make([]string, 0, len(xsollaBodies))
	for t := range xsollaBodies {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

type obj = map[string]any

func (w xsollaWebhook) user() obj { return obj{"id": w.c.user, "ip": "127.0.0.1", "country": "DE"} }
func (w xsollaWebhook) money() obj {
	return obj{"currency": w.currency, "amount": json.Number(w.amount)}
}
func (w xsollaWebhook) dryRun() int {
	if w.c.test {
		return 1
	}
	return 0
}

func (w xsollaWebhook) transaction() obj {
	return obj{"id": w.tx, "external_id": w.c.order, "dry_run": w.dryRun(), "agreement": 1,
		"payment_date": time.Now().UTC().Format(time.RFC3339), "payment_method": 1380}
}

// purchase is the body of payment and the refund webhooks.
func (w xsollaWebhook) purchase(typ string) obj {
	b := obj{"notification_type": typ, "settings": w.settings, "user": w.user(),
		"purchase":    obj{"checkout": w.money(), "total": w.money()},
		"transaction": w.transaction(), "payment_details": obj{"payment": w.money()}}
	if typ != xsolla.TypePayment {
		b["refund_details"] = obj{"code": 1, "reason": "Cancellation from Publisher Account", "author": "trigger"}
	}
	return b
}

// order is the body of order_paid and order_canceled. Xsolla's invoice id
// is the transaction id: the payment webhook of the same purchase carries
// it as transaction.id. The merchant's order id is not in these webhooks.
func (w xsollaWebhook) order(typ, status string) obj {
	mode := "default"
	if w.c.test {
		mode = "sandbox"
	}
	return obj{"notification_type": typ,
		"items": []any{obj{"sku": itemOf(w.c), "type": "virtual_good", "quantity": 1, "amount": w.amount,
			"is_pre_order": false, "promotions": []any{}}},
		"order": obj{"id": w.tx, "mode": mode, "currency_type": "real", "currency": w.currency, "amount": w.amount,
			"status": status, "platform": "xsolla", "invoice_id": w.tx},
		"user": obj{"external_id": w.c.user}}
}

func (w xsollaWebhook) subscription(typ string, extra obj) obj {
	sub := obj{"plan_id": itemOf(w.c), "subscription_id": w.tx, "product_id": itemOf(w.c)}
	for k, v := range extra {
		sub[k] = v
	}
	return obj{"notification_type": typ, "settings": w.settings, "user": w.user(), "subscription": sub}
}

// xsollaBodies builds the body of each webhook type in Xsolla's shape,
// from the flags: -user, -id (the transaction, order, subscription, key or
// operation id), -order (external_id), -item (sku, plan), -amount and
// -currency, -test (dry_run, sandbox mode).
var xsollaBodies = map[string]func(w xsollaWebhook) obj{
	xsolla.TypeUserValidation: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypeUserValidation, "settings": w.settings, "user": w.user()}
	},
	xsolla.TypeUserSearch: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypeUserSearch, "settings": w.settings, "user": obj{"public_id": w.c.user}}
	},
	xsolla.TypePayment:       func(w xsollaWebhook) obj { return w.purchase(xsolla.TypePayment) },
	xsolla.TypeRefund:        func(w xsollaWebhook) obj { return w.purchase(xsolla.TypeRefund) },
	xsolla.TypePartialRefund: func(w xsollaWebhook) obj { return w.purchase(xsolla.TypePartialRefund) },
	xsolla.TypeUpgradeRefund: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypeUpgradeRefund, "settings": w.settings, "user": w.user(),
			"transaction": w.transaction(), "purchase": obj{"checkout": w.money()}}
	},
	xsolla.TypeOrderPaid:     func(w xsollaWebhook) obj { return w.order(xsolla.TypeOrderPaid, "paid") },
	xsolla.TypeOrderCanceled: func(w xsollaWebhook) obj { return w.order(xsolla.TypeOrderCanceled, "canceled") },
	xsolla.TypeAFSReject: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypeAFSReject, "settings": w.settings, "user": w.user(),
			"transaction": w.transaction(), "refund_details": obj{"code": 4, "reason": "Potential fraud"}}
	},
	xsolla.TypeAFSBlackList: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypeAFSBlackList, "settings": w.settings, "user": w.user(),
			"block": obj{"reason": "fraud", "type": "user"}}
	},
	xsolla.TypeCreateSubscription: func(w xsollaWebhook) obj {
		return w.subscription(xsolla.TypeCreateSubscription, obj{"currency": w.currency, "amount": json.Number(w.amount),
			"date_create": time.Now().UTC().Format(time.RFC3339), "date_next_charge": time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)})
	},
	xsolla.TypeUpdateSubscription: func(w xsollaWebhook) obj {
		return w.subscription(xsolla.TypeUpdateSubscription, obj{"date_next_charge": time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)})
	},
	xsolla.TypeCancelSubscription: func(w xsollaWebhook) obj {
		return w.subscription(xsolla.TypeCancelSubscription, obj{"date_end": time.Now().UTC().Format(time.RFC3339)})
	},
	xsolla.TypeNonRenewalSubscription: func(w xsollaWebhook) obj {
		return w.subscription(xsolla.TypeNonRenewalSubscription, obj{"date_end": time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)})
	},
	xsolla.TypeUserBalanceOperation: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypeUserBalanceOperation, "settings": w.settings, "user": w.user(),
			"id_operation": w.c.id, "operation_type": "payment",
			"virtual_currency_balance": obj{"old_value": "0", "new_value": w.amount, "diff": json.Number(w.amount)}}
	},
	xsolla.TypePaymentAccountAdd: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypePaymentAccountAdd, "settings": w.settings, "user": w.user(),
			"payment_account": obj{"id": w.c.id, "name": "4111 11** **** 1111", "type": "card",
				"card_expiry_date": obj{"month": "12", "year": "2030"}}}
	},
	xsolla.TypePaymentAccountRemove: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypePaymentAccountRemove, "settings": w.settings, "user": w.user(),
			"payment_account": obj{"id": w.c.id, "name": "4111 11** **** 1111", "type": "card"}}
	},
	xsolla.TypeGetPinCode: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypeGetPinCode, "settings": w.settings, "user": w.user(),
			"pin_code": obj{"digital_content": itemOf(w.c), "DRM": "steam"}}
	},
	xsolla.TypeRedeemKey: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypeRedeemKey, "settings": w.settings,
			"key": w.c.id, "sku": itemOf(w.c), "user_id": w.c.user, "user_country": "DE"}
	},
	xsolla.TypePartnerSideCatalog: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypePartnerSideCatalog, "settings": w.settings, "user": w.user()}
	},
	xsolla.TypeDispute: func(w xsollaWebhook) obj {
		return obj{"notification_type": xsolla.TypeDispute, "settings": w.settings, "user": w.user(),
			"transaction": w.transaction(), "payment_details": obj{"payment": w.money()},
			"dispute": obj{"incoming_date": time.Now().UTC().Format("2006-01-02"), "reason": "fraud",
				"type": "1st_time_chargeback", "status": "new"}}
	},
}
