package merchanttest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit/vkpay/merchant"
)

// Signer signs merchant notifications exactly as VK Pay does. Its Key's
// public half is what the merchant puts in merchant.Config.PublicKeyPEM.
type Signer struct {
	// Key signs the notifications.
	Key *rsa.PrivateKey
	// Hash is the RSA digest: crypto.SHA1 (0, VK Pay's) or crypto.SHA256.
	Hash crypto.Hash
	// Client sends for Send; nil means http.DefaultClient.
	Client *http.Client
}

// NewSigner returns a Signer with a new RSA-2048 key (slow: share one
// between tests).
func NewSigner() (*Signer, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &Signer{Key: k}, nil
}

// NewSignerWithKey returns a Signer with a PKCS #1 or PKCS #8 RSA private
// key in PEM.
func NewSignerWithKey(privateKeyPEM []byte) (*Signer, error) {
	block, _ := pem.Decode(privateKeyPEM)
	if block == nil {
		return nil, errors.New("merchanttest: no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return &Signer{Key: k}, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	rk, ok := k.(*rsa.PrivateKey)
	if err != nil || !ok {
		return nil, errors.New("merchanttest: not an RSA private key")
	}
	return &Signer{Key: rk}, nil
}

// PublicKeyPEM returns the public key for merchant.Config.PublicKeyPEM.
func (s *Signer) PublicKeyPEM() []byte {
	der, _ := x509.MarshalPKIXPublicKey(&s.Key.PublicKey)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Notification describes a notification to sign. Unset fields get valid
// defaults: TransactionID a fresh id, Status paid, Currency RUB,
// NotifyType payment_delivered (payment_declined for a rejected status),
// Added and Paid now.
type Notification struct {
	MerchantID    int64
	ClientID      int64 // 0 means MerchantID
	TransactionID string
	Status        merchant.Status
	IssuerID      string // the merchant's order id
	Amount        int64  // kopecks
	Currency      string
	Description   string
	UserID        int64
	NotifyType    string
	DeclineReason string
	// RefundFor, when set, makes it a refund of that transaction.
	RefundFor string
	Added     time.Time
	Paid      time.Time
}

// data returns the notification's JSON, with the defaults filled in.
func (n Notification) data() ([]byte, error) {
	now := time.Now()
	if n.TransactionID == "" {
		n.TransactionID = newTransactionID()
	}
	if n.Status == "" {
		n.Status = merchant.StatusPaid
	}
	if n.Currency == "" {
		n.Currency = "RUB"
	}
	if n.NotifyType == "" {
		n.NotifyType = merchant.NotifyDelivered
		if n.Status != merchant.StatusPaid {
			n.NotifyType = merchant.NotifyDeclined
		}
	}
	if n.ClientID == 0 {
		n.ClientID = n.MerchantID
	}
	added, paid := n.Added, n.Paid
	if added.IsZero() {
		added = now
	}
	if paid.IsZero() {
		paid = now
	}
	body := map[string]any{
		"transaction_id": n.TransactionID, "notify_type": n.NotifyType, "status": string(n.Status),
		"added": strconv.FormatInt(added.Unix(), 10), "paid": strconv.FormatInt(paid.Unix(), 10),
		"issuer_id": n.IssuerID, "amount": merchant.Amount(n.Amount), "currency": n.Currency,
		"description": n.Description, "merchant_id": strconv.FormatInt(n.MerchantID, 10),
		"pay_method": "cpgtest", "user_info": map[string]any{"user_id": strconv.FormatInt(n.UserID, 10)},
	}
	if n.DeclineReason != "" {
		body["decline_reason"] = n.DeclineReason
	}
	if n.RefundFor != "" {
		body["refund_for"] = n.RefundFor
		body["payment_info"] = map[string]any{"refund_type": "refund", "refunded_transaction_id": n.RefundFor}
	}
	return json.Marshal(map[string]any{"body": body,
		"header": map[string]any{"status": "OK", "ts": strconv.FormatInt(now.Unix(), 10), "client_id": n.ClientID}})
}

// Sign returns the signed form fields of n: data, signature and version.
func (s *Signer) Sign(n Notification) (url.Values, error) {
	js, err := n.data()
	if err != nil {
		return nil, err
	}
	data := base64.StdEncoding.EncodeToString(js)
	h := s.Hash
	if h == 0 {
		h = crypto.SHA1
	}
	var digest []byte
	if h == crypto.SHA256 {
		d := sha256.Sum256([]byte(data))
		digest = d[:]
	} else {
		d := sha1.Sum([]byte(data))
		digest = d[:]
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.Key, h, digest)
	if err != nil {
		return nil, err
	}
	return url.Values{"data": {data}, "signature": {base64.StdEncoding.EncodeToString(sig)},
		"version": {merchant.ProtocolVersion}}, nil
}

// NewRequest returns a server-side request delivering n signed, as VK Pay
// does (a form POST), for calling a handler's ServeHTTP in a test. Like
// httptest.NewRequest it panics on an invalid target, and on a signing
// failure.
func (s *Signer) NewRequest(target string, n Notification) *http.Request {
	v, err := s.Sign(n)
	if err != nil {
		panic("merchanttest: " + err.Error())
	}
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// Send POSTs n signed to a running server at url, as VK Pay does, with
// Signer.Client, and returns its response; close its Body.
func (s *Signer) Send(ctx context.Context, url string, n Notification) (*http.Response, error) {
	v, err := s.Sign(n)
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	return c.Do(r)
}

// newTransactionID returns a random id (VK Pay's are UUIDs).
func newTransactionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "emu-" + hex.EncodeToString(b[:])
}
