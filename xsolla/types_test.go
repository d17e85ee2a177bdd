package xsolla

import (
	"fmt"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, body string) paykit.Notification {
	t.Helper()
	c := newTestClient(t)
	n, err := c.ParseBody([]byte(body), authHeader(sign(body, testSecret)))
	require.NoError(t, err)
	return n
}

func TestEveryNotificationTypeDecodes(t *testing.T) {
	const tx = `"transaction":{"id":555,"external_id":"ord-1","dry_run":1}`
	const pay = `"purchase":{"checkout":{"currency":"EUR","amount":10.5}},"payment_details":{"payment":{"currency":"EUR","amount":"10.50"}}`
	tests := []struct {
		body string
		typ  string
		want paykit.Summary
	}{
		{`{"notification_type":"user_validation","user":{"id":42}}`, "*xsolla.UserValidation",
			paykit.Summary{Kind: paykit.KindUserCheck, UserID: "42"}},
		{`{"notification_type":"user_search","user":{"public_id":"pub-1"}}`, "*xsolla.UserSearch",
			paykit.Summary{Kind: paykit.KindUserCheck, UserID: "pub-1"}},
		{`{"notification_type":"payment","user":{"id":"u"},` + tx + `,` + pay + `}`, "*xsolla.Payment",
			paykit.Summary{Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: "555", OrderID: "ord-1", UserID: "u", Amount: paykit.Money{Amount: 1050, Currency: "EUR"}, Test: true}},
		{`{"notification_type":"refund","refund_details":{"code":2,"reason":"chargeback"},` + tx + `,` + pay + `}`, "*xsolla.Refund",
			paykit.Summary{Kind: paykit.KindRefund, Status: paykit.StatusRefunded, ID: "555", OrderID: "ord-1", Amount: paykit.Money{Amount: 1050, Currency: "EUR"}, Test: true}},
		{`{"notification_type":"partial_refund",` + tx + `,` + pay + `}`, "*xsolla.PartialRefund",
			paykit.Summary{Kind: paykit.KindRefund, Status: paykit.StatusRefunded, ID: "555", OrderID: "ord-1", Amount: paykit.Money{Amount: 1050, Currency: "EUR"}, Test: true}},
		{`{"notification_type":"upgrade_refund","transaction":{"id":"9"}}`, "*xsolla.UpgradeRefund",
			paykit.Summary{Kind: paykit.KindRefund, Status: paykit.StatusRefunded, ID: "9"}},
		{`{"notification_type":"order_paid","items":[{"sku":"gem","quantity":"2","amount":"[null]","is_pre_order":false}],"order":{"id":77,"mode":"sandbox","currency":"JPY","amount":"500","status":"paid"},"user":{"external_id":"u1","email":"a@b"}}`, "*xsolla.OrderPaid",
			paykit.Summary{Kind: paykit.KindPayment, Status: paykit.StatusPaid, ID: "77", UserID: "u1", Amount: paykit.Money{Amount: 500, Currency: "JPY"}, Test: true}},
		{`{"notification_type":"order_canceled","items":[],"order":{"id":"77","mode":"default","currency":"KWD","amount":1.25,"status":"canceled"},"user":{"external_id":"u1"}}`, "*xsolla.OrderCanceled",
			paykit.Summary{Kind: paykit.KindRefund, Status: paykit.StatusCanceled, ID: "77", UserID: "u1", Amount: paykit.Money{Amount: 1250, Currency: "KWD"}}},
		{`{"notification_type":"afs_reject","transaction":{"id":3,"external_id":4},"refund_details":{"code":4}}`, "*xsolla.AFSReject",
			paykit.Summary{Kind: paykit.KindPayment, Status: paykit.StatusFailed, ID: "3", OrderID: "4"}},
		{`{"notification_type":"afs_black_list","user":{"id":"x"},"block":{"reason":"r"}}`, "*xsolla.AFSBlackList",
			paykit.Summary{Kind: paykit.KindInfo, UserID: "x"}},
		{`{"notification_type":"create_subscription","subscription":{"plan_id":"p","subscription_id":11,"tags":["a"],"trial":{"value":7,"type":"day"},"currency":"USD","amount":"9.99"},"coupon":{"coupon_code":"C"}}`, "*xsolla.CreateSubscription",
			paykit.Summary{Kind: paykit.KindSubscription, Status: paykit.StatusPaid, ID: "11", Amount: paykit.Money{Amount: 999, Currency: "USD"}}},
		{`{"notification_type":"update_subscription","subscription":{"subscription_id":11,"date_next_charge":"2025-01-01"}}`, "*xsolla.UpdateSubscription",
			paykit.Summary{Kind: paykit.KindSubscription, Status: paykit.StatusPaid, ID: "11"}},
		{`{"notification_type":"cancel_subscription","subscription":{"subscription_id":11,"date_end":"2025-01-01"}}`, "*xsolla.CancelSubscription",
			paykit.Summary{Kind: paykit.KindSubscription, Status: paykit.StatusCanceled, ID: "11"}},
		{`{"notification_type":"non_renewal_subscription","subscription":{"subscription_id":11}}`, "*xsolla.NonRenewalSubscription",
			paykit.Summary{Kind: paykit.KindSubscription, ID: "11"}},
		{`{"notification_type":"user_balance_operation","id_operation":"op1","operation_type":"payment","virtual_currency_balance":{"old_value":"0","new_value":"100","diff":100}}`, "*xsolla.UserBalanceOperation",
			paykit.Summary{Kind: paykit.KindInfo, ID: "op1"}},
		{`{"notification_type":"payment_account_add","payment_account":{"id":"pa","name":"4111","type":"card","card_expiry_date":{"month":"1","year":"2030"}}}`, "*xsolla.PaymentAccountAdd",
			paykit.Summary{Kind: paykit.KindInfo, ID: "pa"}},
		{`{"notification_type":"payment_account_remove","payment_account":{"id":5}}`, "*xsolla.PaymentAccountRemove",
			paykit.Summary{Kind: paykit.KindInfo, ID: "5"}},
		{`{"notification_type":"get_pincode","pin_code":{"digital_content":"game","DRM":"steam"}}`, "*xsolla.GetPinCode",
			paykit.Summary{Kind: paykit.KindItemRequest}},
		{`{"notification_type":"redeem_key","key":"K-1","sku":"s","user_id":12,"user_country":"DE"}`, "*xsolla.RedeemKey",
			paykit.Summary{Kind: paykit.KindInfo, ID: "K-1", UserID: "12"}},
		{`{"notification_type":"partner_side_catalog","user":{"id":"u"}}`, "*xsolla.PartnerSideCatalog",
			paykit.Summary{Kind: paykit.KindItemRequest, UserID: "u"}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		n := parse(t, tt.body)
		assert.Equal(t, tt.typ, fmt.Sprintf("%T", n), tt.body)
		s := n.Summary()
		tt.want.Provider = paykit.Xsolla
		tt.want.Type = s.Type
		assert.Equal(t, tt.want, s, tt.body)
		seen[s.Type] = true
	}
	for _, typ := range []string{TypeUserValidation, TypeUserSearch, TypePayment, TypeRefund, TypePartialRefund,
		TypeUpgradeRefund, TypeOrderPaid, TypeOrderCanceled, TypeAFSReject, TypeAFSBlackList, TypeCreateSubscription,
		TypeUpdateSubscription, TypeCancelSubscription, TypeNonRenewalSubscription, TypeUserBalanceOperation,
		TypePaymentAccountAdd, TypePaymentAccountRemove, TypeGetPinCode, TypeRedeemKey, TypePartnerSideCatalog} {
		assert.True(t, seen[typ], "type %s not covered", typ)
	}
}

func TestTolerantScalars(t *testing.T) {
	n := parse(t, `{"notification_type":"payment","user":{"id":12345678901234567890,"name":"J\u00f6rg \"Q\" \/ \ud83d\ude00"},
		"transaction":{"id":"87654321","external_id":1001,"dry_run":"1","payment_method":"1380"},
		"purchase":{"total":{"currency":"USD","amount":"4.99"},"virtual_items":{"items":[{"sku":"a","amount":"2"}],"amount":null}},
		"payment_details":{"payout_currency_rate":"1.0000000001","vat":{"currency":"USD","amount":0,"percent":"20"}},
		"custom_parameters":null}`).(*Payment)
	assert.Equal(t, ID("12345678901234567890"), n.User.ID, "big ids keep every digit")
	assert.Equal(t, "Jörg \"Q\" / 😀", n.User.Name)
	assert.Equal(t, ID("1001"), n.Transaction.ExternalID)
	assert.True(t, n.IsDryRun())
	assert.Equal(t, Decimal("1.0000000001"), n.PaymentDetails.PayoutCurrencyRate)
	m, err := n.Money()
	require.NoError(t, err)
	assert.Equal(t, paykit.Money{Amount: 499, Currency: "USD"}, m, "falls back to purchase.total")
	q, err := n.Purchase.VirtualItems.Items[0].Amount.Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(2), q)
	assert.Nil(t, n.CustomParameters)
}

func TestDryRunAbsentIsLive(t *testing.T) {
	for body, want := range map[string]bool{
		`{"notification_type":"payment","transaction":{"id":1}}`:                   false,
		`{"notification_type":"payment","transaction":{"id":1,"dry_run":0}}`:       false,
		`{"notification_type":"payment","transaction":{"id":1,"dry_run":true}}`:    true,
		`{"notification_type":"payment","transaction":{"id":1,"dry_run":"false"}}`: false,
	} {
		assert.Equal(t, want, parse(t, body).Summary().Test, body)
	}
}

func TestOrderItemsDecoded(t *testing.T) {
	n := parse(t, `{"notification_type":"order_paid","items":[{"sku":"gem","type":"virtual_good","quantity":2,"amount":"4.99","is_pre_order":"1","custom_attributes":{"a":1}}],"order":{"id":1,"currency":"USD","amount":"9.98","invoice_id":"555"}}`).(*OrderPaid)
	require.Len(t, n.Items, 1)
	assert.Equal(t, "gem", n.Items[0].SKU)
	assert.Equal(t, Decimal("2"), n.Items[0].Quantity)
	assert.True(t, bool(n.Items[0].IsPreOrder))
	assert.JSONEq(t, `{"a":1}`, string(n.Items[0].CustomAttributes))
	assert.Equal(t, ID("555"), n.Order.InvoiceID)
}
