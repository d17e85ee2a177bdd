package payseratest

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit/paysera"
)

// Field is one callback parameter.
type Field struct{ Key, Value string }

// Fields is an ordered parameter list, encoded in this order.
type Fields []Field

// Encode encodes f like PHP's http_build_query, as Paysera does: pairs in
// order, spaces as '+', every byte but A-Z a-z 0-9 - _ . percent-encoded
// with upper-case hex.
func (f Fields) Encode() string {
	var b strings.Builder
	for i, kv := range f {
		if i > 0 {
			b.WriteByte('&')
		}
		escape(&b, kv.Key)
		b.WriteByte('=')
		escape(&b, kv.Value)
	}
	return b.String()
}

// Get returns the value of key, or "".
func (f Fields) Get(key string) string {
	for _, kv := range f {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

func escape(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
}

// Signatures selects which signatures [Signer.SignQuery] adds.
type Signatures uint8

// The callback signatures.
const (
	// SS1 is md5(data + password), lowercase hex.
	SS1 Signatures = 1 << iota
	// SS2 is RSA PKCS #1 v1.5 with SHA-1, base64url.
	SS2
	// SS3 is RSA PKCS #1 v1.5 with SHA-256, base64url.
	SS3
	// AllSignatures is what Paysera sends today: ss1, ss2 and ss3.
	AllSignatures = SS1 | SS2 | SS3
)

// Signer signs callbacks exactly as Paysera does, with a test RSA key in
// place of Paysera's, so that merchants can test their handlers: configure
// the client with [Signer.PublicKeyPEM] (or point it at an [Emulator]).
type Signer struct {
	// ProjectID is the project the callbacks are for.
	ProjectID int
	// Password is the project password (ss1, encrypted callbacks).
	Password string
	// Key signs ss2 and ss3.
	Key *rsa.PrivateKey
	// Client sends for Send; nil means http.DefaultClient.
	Client *http.Client
}

// NewSigner returns a Signer with a freshly generated RSA-2048 key.
func NewSigner(projectID int, password string) (*Signer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("payseratest: generating key: %w", err)
	}
	return &Signer{ProjectID: projectID, Password: password, Key: key}, nil
}

// NewSignerWithKey returns a Signer using an existing private key, given
// as a PKCS #1 ("RSA PRIVATE KEY") or PKCS #8 ("PRIVATE KEY") PEM.
func NewSignerWithKey(projectID int, password string, privateKeyPEM []byte) (*Signer, error) {
	block, _ := pem.Decode(privateKeyPEM)
	if block == nil {
		return nil, errors.New("payseratest: no PEM block")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("payseratest: unexpected PEM type %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("payseratest: parsing key: %w", err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("payseratest: not an RSA key")
	}
	return &Signer{ProjectID: projectID, Password: password, Key: rk}, nil
}

// PublicKeyPEM returns the verification key as a "PUBLIC KEY" PEM, for
// [paysera.Config.PublicKeyPEM].
func (s *Signer) PublicKeyPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(&s.Key.PublicKey)
	if err != nil {
		panic("payseratest: marshal public key: " + err.Error()) // cannot happen for RSA keys
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// CertificatePEM returns a self-signed certificate of the key, the form
// Paysera serves its key in.
func (s *Signer) CertificatePEM() ([]byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{Country: []string{"LT"}, Locality: []string{"Vilnius"}, Organization: []string{"Paysera emulator"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(2 * 365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &s.Key.PublicKey, s.Key)
	if err != nil {
		return nil, fmt.Errorf("payseratest: certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// Data returns Paysera's encoding of a parameter string: URL-safe base64
// with the padding kept.
func Data(query string) string { return base64.URLEncoding.EncodeToString([]byte(query)) }

// SignQuery signs an already encoded parameter string and returns the
// callback parameters data plus the chosen signatures (0 means all).
func (s *Signer) SignQuery(query string, sigs Signatures) (url.Values, error) {
	if sigs == 0 {
		sigs = AllSignatures
	}
	data := Data(query)
	v := url.Values{"data": {data}}
	if sigs&SS1 != 0 {
		sum := md5.Sum([]byte(data + s.Password))
		v.Set("ss1", hex.EncodeToString(sum[:]))
	}
	if sigs&SS2 != 0 {
		sum := sha1.Sum([]byte(data))
		sig, err := rsa.SignPKCS1v15(rand.Reader, s.Key, crypto.SHA1, sum[:])
		if err != nil {
			return nil, fmt.Errorf("payseratest: ss2: %w", err)
		}
		v.Set("ss2", base64.URLEncoding.EncodeToString(sig))
	}
	if sigs&SS3 != 0 {
		sum := sha256.Sum256([]byte(data))
		sig, err := rsa.SignPKCS1v15(rand.Reader, s.Key, crypto.SHA256, sum[:])
		if err != nil {
			return nil, fmt.Errorf("payseratest: ss3: %w", err)
		}
		v.Set("ss3", base64.URLEncoding.EncodeToString(sig))
	}
	return v, nil
}

// Sign encodes fields and signs them (see [Signer.SignQuery]).
func (s *Signer) Sign(fields Fields, sigs Signatures) (url.Values, error) {
	return s.SignQuery(fields.Encode(), sigs)
}

// EncryptQuery encrypts a parameter string the way Paysera does when
// callback encryption is on: data = base64url(IV ‖ AES-256-GCM ciphertext
// ‖ tag) under the password NUL-padded or cut to 32 bytes, with a random
// IV. No signature is added.
func (s *Signer) EncryptQuery(query string) (url.Values, error) {
	iv := make([]byte, 12)
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	return s.EncryptQueryWithIV(query, iv)
}

// EncryptQueryWithIV is [Signer.EncryptQuery] with a given 12-byte IV, for
// reproducible output. Never reuse an IV outside tests.
func (s *Signer) EncryptQueryWithIV(query string, iv []byte) (url.Values, error) {
	if len(iv) != 12 {
		return nil, errors.New("payseratest: IV must be 12 bytes")
	}
	key := make([]byte, 32)
	copy(key, s.Password)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sealed := gcm.Seal(append([]byte(nil), iv...), iv, []byte(query), nil)
	return url.Values{"data": {base64.URLEncoding.EncodeToString(sealed)}}, nil
}

// Encrypt encodes fields and encrypts them (see [Signer.EncryptQuery]).
func (s *Signer) Encrypt(fields Fields) (url.Values, error) {
	return s.EncryptQuery(fields.Encode())
}

// CallbackURL appends signed callback parameters to callbackURL (which may
// already carry a query), as Paysera calls it.
func CallbackURL(callbackURL string, params url.Values) string {
	sep := "?"
	if strings.Contains(callbackURL, "?") {
		sep = "&"
	}
	return callbackURL + sep + params.Encode()
}

// NewRequest returns a GET request for target (a path or URL) carrying
// fields signed with all three signatures, ready for a handler's
// ServeHTTP. It panics if signing fails, like httptest.NewRequest.
func (s *Signer) NewRequest(target string, fields Fields) *http.Request {
	params, err := s.Sign(fields, AllSignatures)
	if err != nil {
		panic(err)
	}
	return httptest.NewRequest(http.MethodGet, CallbackURL(target, params), nil)
}

// Send delivers fields signed with all three signatures to a running
// server at callbackURL, as Paysera does (a GET with the signed query),
// with Signer.Client, and returns its response; close its Body.
func (s *Signer) Send(ctx context.Context, callbackURL string, fields Fields) (*http.Response, error) {
	params, err := s.Sign(fields, AllSignatures)
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, CallbackURL(callbackURL, params), nil)
	if err != nil {
		return nil, err
	}
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	return c.Do(r)
}

// Macro describes a checkout (macro) payment callback.
type Macro struct {
	OrderID   string
	RequestID string // "" = a number derived from OrderID
	Amount    int64
	Currency  string
	Status    paysera.Status // "" = paysera.StatusSuccess
	Test      bool
	Payment   string // method key; "" = "card"
	Country   string
	Lang      string
	PayText   string
	Email     string
	Name      string
	Surname   string
	Version   string // "" = "1.6"
	// Extra fields are appended (e.g. refund_* or personcodestatus).
	Extra Fields
}

// Fields returns the callback parameters for m, in the order of Paysera's
// callbacks.
func (m Macro) Fields(projectID int) Fields {
	status := m.Status
	if status == "" {
		status = paysera.StatusSuccess
	}
	rid := m.RequestID
	if rid == "" {
		rid = strconv.FormatUint(uint64(hash32(m.OrderID)), 10)
	}
	payment := m.Payment
	if payment == "" {
		payment = "card"
	}
	version := m.Version
	if version == "" {
		version = paysera.DefaultVersion
	}
	test := "0"
	if m.Test {
		test = "1"
	}
	amount := strconv.FormatInt(m.Amount, 10)
	f := Fields{
		{"projectid", strconv.Itoa(projectID)}, {"orderid", m.OrderID}, {"lang", m.Lang},
		{"amount", amount}, {"currency", m.Currency}, {"payment", payment}, {"country", m.Country},
		{"paytext", m.PayText}, {"name", m.Name}, {"surename", m.Surname}, {"status", string(status)},
		{"test", test}, {"p_email", m.Email}, {"requestid", rid}, {"payamount", amount},
		{"paycurrency", m.Currency}, {"version", version}, {"type", paysera.TypeMacro},
	}
	return append(f, m.Extra...)
}

// Micro describes an SMS keyword (micro) payment callback.
type Micro struct {
	ID       string // SMS id
	To       string // short number
	From     string // sender's phone
	Text     string // the whole SMS
	Key      string // keyword
	Operator string
	Amount   int64
	Currency string
	Country  string
	Test     bool
}

// Fields returns the callback parameters for m (no "type": Paysera's
// library derives micro from to, from and sms).
func (m Micro) Fields(projectID int) Fields {
	test := "0"
	if m.Test {
		test = "1"
	}
	return Fields{
		{"to", m.To}, {"sms", m.Text}, {"from", m.From}, {"operator", m.Operator},
		{"amount", strconv.FormatInt(m.Amount, 10)}, {"currency", m.Currency}, {"country", m.Country},
		{"id", m.ID}, {"test", test}, {"key", m.Key}, {"projectid", strconv.Itoa(projectID)},
		{"version", paysera.DefaultVersion},
	}
}

// hash32 is FNV-1a, for stable made-up request ids.
func hash32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
