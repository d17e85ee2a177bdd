package merchant_test

import (
	"context"
	"crypto"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay/merchant"
)

func TestPayFormSignsEveryLayer(t *testing.T) {
	c := newClient(t)
	form, err := c.PayForm(merchant.PayRequest{OrderID: "o-1", Amount: 1050, Description: "Золото", UserID: 5,
		Cashback: &merchant.Cashback{PayTime: fixedNow.Add(time.Hour), AmountPercent: 3},
		Data:     map[string]string{"sku": "gold"}})
	if err != nil {
		t.Fatal(err)
	}
	p := form.Params
	md, _ := base64.StdEncoding.DecodeString(p.Data.MerchantData)
	wantMD := `{"order_id":"o-1","cashback":{"pay_time":1721667352,"amount_percent":"3"},"ts":"1721663752","amount":10.5,"currency":"RUB"}`
	if string(md) != wantMD {
		t.Fatalf("merchant_data %s", md)
	}
	if p.Data.MerchantSign != merchant.MerchantSign(p.Data.MerchantData, merchantKey, crypto.SHA1) {
		t.Fatal("merchant_sign")
	}
	if p.Sign != merchant.AppSign(p.Canonical(), "ug3CQvCkfRyI6svLVpC") {
		t.Fatal("sign")
	}
	js, err := json.Marshal(form)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	if back["action"] != "pay-to-service" || back["app_id"] != 7000.0 {
		t.Fatalf("%s", js)
	}
	params := back["params"].(map[string]any)
	data := params["data"].(map[string]any)
	if params["amount"] != 10.5 || data["sku"] != "gold" || data["order_id"] != "o-1" || params["user_id"] != 5.0 {
		t.Fatalf("%s", js)
	}
	// data keys are alphabetical in the JSON sent.
	i := strings.Index(string(js), `"data":{`)
	if !strings.HasPrefix(string(js[i:]), `"data":{"cashback":`) || strings.Index(string(js), `"merchant_data"`) > strings.Index(string(js), `"sku"`) {
		t.Fatalf("data keys not sorted: %s", js)
	}
}

func TestPayFormValidates(t *testing.T) {
	c := newClient(t)
	ok := merchant.PayRequest{OrderID: "1", Amount: 100, Description: "x"}
	tests := []struct {
		name  string
		mod   func(*merchant.PayRequest)
		field string
	}{
		{"no order", func(r *merchant.PayRequest) { r.OrderID = "" }, "order_id"},
		{"under 1 RUB", func(r *merchant.PayRequest) { r.Amount = 99 }, "amount"},
		{"USD", func(r *merchant.PayRequest) { r.Currency = "USD" }, "currency"},
		{"no description", func(r *merchant.PayRequest) { r.Description = "" }, "description"},
		{"51 chars", func(r *merchant.PayRequest) { r.Description = strings.Repeat("ы", 51) }, "description"},
		{"old ts", func(r *merchant.PayRequest) { r.TS = fixedNow.Add(-2 * time.Hour) }, "ts"},
		{"cashback 6%", func(r *merchant.PayRequest) {
			r.Cashback = &merchant.Cashback{PayTime: fixedNow, AmountPercent: 6}
		}, "cashback.amount_percent"},
		{"cashback both", func(r *merchant.PayRequest) {
			r.Cashback = &merchant.Cashback{PayTime: fixedNow, AmountPercent: 1, Amount: 1}
		}, "cashback"},
		{"cashback over 5%", func(r *merchant.PayRequest) {
			r.Cashback = &merchant.Cashback{PayTime: fixedNow, Amount: 6}
		}, "cashback.amount"},
		{"reserved data key", func(r *merchant.PayRequest) { r.Data = map[string]string{"ts": "1"} }, "data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.mod(&r)
			_, err := c.PayForm(r)
			var fe *paykit.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, paykit.ErrInvalidRequest) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := c.PayForm(ok); err != nil {
		t.Fatal(err)
	}
}

func TestParseCallbackDecodesUpperCaseStatusAndBothDateFormats(t *testing.T) {
	n, err := newClient(t).ParseValues(notify(t, paidData("5B5FEF96-CCFF", "PAID"), crypto.SHA1))
	if err != nil {
		t.Fatal(err)
	}
	b := n.Body
	if b.Status != merchant.StatusPaid || b.Amount != 1050 || string(b.IssuerID) != "order-42" ||
		b.Added.UTC() != time.Date(2021, 9, 7, 11, 9, 23, 0, time.UTC) || b.Paid.Unix() != 1631013000 ||
		n.Header.TS.Unix() != 1721663752 || string(b.UserInfo.UserID) != "1" || !strings.Contains(string(b.MerchantParam), "gold") {
		t.Fatalf("%+v", n)
	}
	want := paykit.Summary{Provider: paykit.VKPay, Type: "TRANSACTION_STATUS", Kind: paykit.KindPayment, Status: paykit.StatusPaid,
		ID: "5B5FEF96-CCFF", OrderID: "order-42", UserID: "1", Amount: paykit.Money{Amount: 1050, Currency: "RUB"}}
	if n.Summary() != want {
		t.Fatalf("%+v", n.Summary())
	}
}

func TestParseCallbackStatusMapping(t *testing.T) {
	for status, want := range map[string]paykit.Status{"new": paykit.StatusPending, "Held": paykit.StatusPending,
		"REJECTED": paykit.StatusFailed, "hold_canceled": paykit.StatusFailed, "odd": paykit.StatusUnknown} {
		n, err := newClient(t).ParseValues(notify(t, paidData("t", status), crypto.SHA1))
		if err != nil || n.Summary().Status != want {
			t.Fatalf("%s: %v %v", status, err, n)
		}
	}
	d := paidData("t", "paid")
	d["body"].(map[string]any)["payment_info"] = map[string]any{"refund_type": "refund"}
	n, err := newClient(t).ParseValues(notify(t, d, crypto.SHA1))
	if err != nil || n.Summary().Kind != paykit.KindRefund || n.Summary().Status != paykit.StatusRefunded {
		t.Fatalf("%v %+v", err, n)
	}
}

func TestParseCallbackRejects(t *testing.T) {
	c := newClient(t)
	good := notify(t, paidData("t", "paid"), crypto.SHA1)
	tests := []struct {
		name string
		form func() map[string][]string
		c    *merchant.Client
		want error
	}{
		{"no signature", func() map[string][]string { f := clone(good); f.Del("signature"); return f }, c, paykit.ErrMissingSignature},
		{"tampered data", func() map[string][]string {
			f := clone(good)
			f.Set("data", base64.StdEncoding.EncodeToString([]byte(`{"body":{"transaction_id":"x"}}`)))
			return f
		}, c, paykit.ErrInvalidSignature},
		{"sha256 signature with sha1 config", func() map[string][]string { return notify(t, paidData("t", "paid"), crypto.SHA256) }, c, paykit.ErrInvalidSignature},
		{"garbage signature", func() map[string][]string { f := clone(good); f.Set("signature", "!!"); return f }, c, paykit.ErrInvalidSignature},
		{"other merchant", func() map[string][]string {
			d := paidData("t", "paid")
			d["body"].(map[string]any)["merchant_id"] = 1
			return notify(t, d, crypto.SHA1)
		}, c, paykit.ErrWrongAccount},
		{"other client", func() map[string][]string { return good }, newClient(t, func(cfg *merchant.Config) { cfg.ClientID = 5 }), paykit.ErrWrongAccount},
		{"bad amount", func() map[string][]string {
			d := paidData("t", "paid")
			d["body"].(map[string]any)["amount"] = "1.005"
			return notify(t, d, crypto.SHA1)
		}, c, paykit.ErrMalformed},
		{"no transaction", func() map[string][]string {
			d := paidData("", "paid")
			return notify(t, d, crypto.SHA1)
		}, c, paykit.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.ParseValues(tt.form())
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseCallbackSHA256Switch(t *testing.T) {
	c := newClient(t, func(cfg *merchant.Config) { cfg.RSAHash = crypto.SHA256 })
	if _, err := c.ParseValues(notify(t, paidData("t", "paid"), crypto.SHA256)); err != nil {
		t.Fatal(err)
	}
}

func TestParseCallbackToleratesUnencodedPlus(t *testing.T) {
	f := notify(t, paidData(strings.Repeat("~", 30), "paid"), crypto.SHA1)
	if !strings.Contains(f.Get("data"), "+") {
		t.Skip("no + in this data")
	}
	f.Set("data", strings.ReplaceAll(f.Get("data"), "+", " "))
	if _, err := newClient(t).ParseValues(f); err != nil {
		t.Fatal(err)
	}
}

func decodeAnswer(t *testing.T, b []byte) (merchant.Answer, map[string]any) {
	t.Helper()
	var a merchant.Answer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	sum := sha1.Sum([]byte(a.Data + merchantKey))
	if a.Signature != hex.EncodeToString(sum[:]) || a.Version != "2-03" {
		t.Fatalf("answer signature: %s", b)
	}
	js, _ := base64.StdEncoding.DecodeString(a.Data)
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	return a, m
}

func TestAnswersAreSigned(t *testing.T) {
	c := newClient(t)
	b, _ := c.Ack("txn", false)
	_, m := decodeAnswer(t, b)
	js, _ := json.Marshal(m)
	if string(js) != `{"body":{"notify_type":"payment_delivered","transaction_id":"txn"},"header":{"client_id":617001,"status":"OK","ts":1721663752}}` {
		t.Fatal(string(js))
	}
	b, _ = c.ErrorAnswer("txn", merchant.ErrSystem, "later")
	_, m = decodeAnswer(t, b)
	h := m["header"].(map[string]any)
	if h["status"] != "ERROR" || h["error"].(map[string]any)["code"] != "ERR_SYSTEM" || m["body"].(map[string]any)["notify_type"] != "TRANSACTION_STATUS" {
		t.Fatal(m)
	}
}

func TestHandlerDeliversOnceAndReplays(t *testing.T) {
	var events atomic.Int32
	h := newClient(t).Handler(paykit.Hooks{Event: func(ctx context.Context, n paykit.Notification) error {
		events.Add(1)
		return nil
	}})
	form := notify(t, paidData("txn-1", "paid"), crypto.SHA1)
	var bodies [10]string
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = post(h, form).Body.String()
		}()
	}
	wg.Wait()
	for _, b := range bodies {
		if b != bodies[0] {
			t.Fatal("replies differ")
		}
	}
	_, m := decodeAnswer(t, []byte(bodies[0]))
	if events.Load() != 1 || m["body"].(map[string]any)["notify_type"] != "payment_delivered" {
		t.Fatal(events.Load(), m)
	}
}

func TestHandlerAnswers(t *testing.T) {
	tests := []struct {
		name  string
		form  func(t *testing.T) map[string][]string
		event func(context.Context, paykit.Notification) error
		check func(t *testing.T, m map[string]any)
	}{
		{"bad signature", func(t *testing.T) map[string][]string {
			f := notify(t, paidData("t", "paid"), crypto.SHA1)
			f.Set("signature", base64.StdEncoding.EncodeToString([]byte("nope")))
			return f
		}, nil, errCode("ERR_SIGNATURE")},
		{"bad data", func(t *testing.T) map[string][]string {
			return notify(t, map[string]any{"body": map[string]any{"amount": "x", "transaction_id": "t"}}, crypto.SHA1)
		}, nil, errCode("ERR_ARGUMENTS")},
		{"temporary", func(t *testing.T) map[string][]string { return notify(t, paidData("t", "paid"), crypto.SHA1) },
			func(context.Context, paykit.Notification) error { return paykit.Temporary(errors.New("db")) }, errCode("ERR_SYSTEM")},
		{"nil event", func(t *testing.T) map[string][]string { return notify(t, paidData("t", "paid"), crypto.SHA1) },
			nil, errCode("ERR_SYSTEM")},
		{"declined", func(t *testing.T) map[string][]string { return notify(t, paidData("t", "paid"), crypto.SHA1) },
			func(context.Context, paykit.Notification) error { return paykit.ErrUnknownItem }, func(t *testing.T, m map[string]any) {
				if m["body"].(map[string]any)["notify_type"] != "payment_declined" {
					t.Fatal(m)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(newClient(t).Handler(paykit.Hooks{Event: tt.event}), tt.form(t))
			if w.Code != http.StatusOK {
				t.Fatal(w.Code)
			}
			_, m := decodeAnswer(t, w.Body.Bytes())
			tt.check(t, m)
		})
	}
}

func errCode(code string) func(t *testing.T, m map[string]any) {
	return func(t *testing.T, m map[string]any) {
		t.Helper()
		h := m["header"].(map[string]any)
		if h["status"] != "ERROR" || h["error"].(map[string]any)["code"] != code {
			t.Fatalf("want %s: %v", code, m)
		}
	}
}

func TestCallSignsAndDecodes(t *testing.T) {
	client := &http.Client{}
	httpmock.ActivateNonDefault(client)
	defer httpmock.DeactivateAndReset()
	c := newClient(t, func(cfg *merchant.Config) {
		cfg.HTTPClient = client
		cfg.APIKey = "928e0c62564fdb4c862e422f8ca3c49e578c7cdf"
	})
	httpmock.RegisterResponder("POST", "https://api.money.mail.ru/money/2-03/transaction/get",
		func(r *http.Request) (*http.Response, error) {
			if err := r.ParseForm(); err != nil {
				return nil, err
			}
			data := r.PostForm.Get("data")
			if r.PostForm.Get("signature") != merchant.APISignature("/money/2-03/transaction/get", data, "928e0c62564fdb4c862e422f8ca3c49e578c7cdf", crypto.SHA1) {
				return httpmock.NewStringResponse(400, "bad signature"), nil
			}
			js, _ := base64.StdEncoding.DecodeString(data)
			if !strings.Contains(string(js), `"header":{"ts":1721663752,"client_id":617001}`) {
				return httpmock.NewStringResponse(400, string(js)), nil
			}
			f := notify(t, map[string]any{"header": map[string]any{"status": "OK"}, "body": map[string]any{"transaction": map[string]any{"status": "PAID"}}}, crypto.SHA1)
			ans, _ := json.Marshal(map[string]string{"version": "2-03-01", "data": f.Get("data"), "signature": f.Get("signature")})
			return httpmock.NewBytesResponse(200, ans), nil
		})
	var out struct {
		Transaction struct {
			Status merchant.Status `json:"status"`
		} `json:"transaction"`
	}
	if err := c.Call(context.Background(), "transaction/get", map[string]string{"transaction_id": "5B5F"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Transaction.Status != merchant.StatusPaid {
		t.Fatal(out)
	}

	httpmock.RegisterResponder("POST", "https://api.money.mail.ru/money/2-03/transaction/status",
		func(r *http.Request) (*http.Response, error) {
			f := notify(t, map[string]any{"header": map[string]any{"status": "ERROR", "error": map[string]any{"code": "ERR_NOT_FOUND", "message": "no such", "error_id": 7}}}, crypto.SHA1)
			ans, _ := json.Marshal(map[string]string{"version": "2-03-01", "data": f.Get("data"), "signature": f.Get("signature")})
			return httpmock.NewBytesResponse(200, ans), nil
		})
	err := c.Call(context.Background(), "transaction/status", map[string]string{"transaction_id": "x"}, nil)
	var ae *paykit.APIError
	if !errors.As(err, &ae) || ae.Code != "ERR_NOT_FOUND" || !strings.HasSuffix(ae.Message, "(error_id 7)") ||
		!errors.Is(err, paykit.ErrAPI) || ae.Provider != paykit.VKPay || ae.Temporary() {
		t.Fatalf("err = %v", err)
	}
}

type urlValues = url.Values

func clone(f map[string][]string) urlValues {
	out := urlValues{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}
