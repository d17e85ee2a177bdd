package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/paykit-go/paykit/examples/internal/emulators"
	"github.com/paykit-go/paykit/vkpay/merchant"
)

// merchantProvider is trigger's name for VK Pay merchant notifications
// (package vkpay/merchant), apart from VK's votes notifications.
const merchantProvider = "vkpay-merchant"

// merchantStatuses are the transaction statuses a VK Pay notification
// carries.
var merchantStatuses = map[string]bool{"paid": true, "new": true, "wait": true, "process": true, "held": true,
	"rejected": true, "expired": true, "hold_failed": true, "hold_canceled": true}

// merchantRequest builds a VK Pay merchant notification: a form POST of
// base64 JSON data, its RSA-SHA1 signature (the payment system's key,
// -vkpay-key) and the protocol version.
func merchantRequest(ctx context.Context, c config) (*http.Request, error) {
	if c.vkpayKeyFile == "" {
		return nil, errors.New("-vkpay-key is required: VK Pay signs notifications with its RSA key; pass a private key whose public half your merchant.Config.PublicKeyPEM holds")
	}
	key, err := readRSAKey(c.vkpayKeyFile)
	if err != nil {
		return nil, err
	}
	typ, status := orDefault(c.typ, "payment"), orDefault(c.status, "paid")
	if typ != "payment" && typ != "refund" {
		return nil, fmt.Errorf("vkpay-merchant types are payment and refund, not %q", c.typ)
	}
	if !merchantStatuses[status] {
		return nil, fmt.Errorf("vkpay-merchant -status is paid, new, wait, process, held, rejected, expired, hold_failed or hold_canceled, not %q", status)
	}
	data, err := json.Marshal(merchantData(c, typ, status))
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding.EncodeToString(data)
	digest := sha1.Sum([]byte(b64))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, digest[:])
	if err != nil {
		return nil, err
	}
	form := url.Values{"data": {b64}, "signature": {base64.StdEncoding.EncodeToString(sig)}, "version": {merchant.ProtocolVersion}}
	return formRequest(ctx, c.target, form.Encode())
}

// merchantData is the notification's JSON: header and body, as VK Pay
// sends them (amounts in major units, as text).
func merchantData(c config, typ, status string) map[string]any {
	id := orDefault(c.account, emulators.DemoVKPayMerchant)
	cur := currencyOf(c, "RUB")
	amount := amountOr(c, emulators.DemoPrice)
	now := time.Now()
	body := map[string]any{
		"transaction_id": c.id, "notify_type": "TRANSACTION_STATUS", "status": status,
		"added": now.Format("2006-01-02T15:04:05.000-07:00"), "paid": fmt.Sprint(now.Unix()),
		"issuer_id": c.order, "amount": fmt.Sprintf("%d.%02d", amount/100, amount%100), "currency": cur,
		"merchant_id": fmt.Sprint(id), "description": itemOf(c),
		"user_info":      map[string]any{"user_id": c.user, "buyer_ip": "127.0.0.1"},
		"merchant_param": map[string]any{"sku": itemOf(c)},
	}
	if typ == "refund" {
		body["payment_info"] = map[string]any{"refund_type": "refund", "refunded_transaction_id": c.order}
	}
	return map[string]any{
		"header": map[string]any{"status": "OK", "ts": fmt.Sprint(now.Unix()), "client_id": id},
		"body":   body,
	}
}

// readRSAKey reads a PKCS#1 or PKCS#8 RSA private key PEM file.
func readRSAKey(file string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", file)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if rk, ok := k.(*rsa.PrivateKey); err == nil && ok {
		return rk, nil
	}
	return nil, fmt.Errorf("%s: not an RSA private key", file)
}

// merchantAccepts: VK Pay's answer is signed JSON whose data header says
// status OK; ERROR is a refusal.
func merchantAccepts(status int, body []byte) bool {
	var a merchant.Answer
	if status != http.StatusOK || json.Unmarshal(body, &a) != nil {
		return false
	}
	js, err := base64.StdEncoding.DecodeString(a.Data)
	if err != nil {
		return false
	}
	var data struct {
		Header struct {
			Status string `json:"status"`
		} `json:"header"`
	}
	return json.Unmarshal(js, &data) == nil && data.Header.Status == "OK"
}
