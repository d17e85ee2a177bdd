package paysera

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
)

// ParseCallback verifies and decodes the callback Paysera sent to your
// callbackurl (a GET with data, ss1, ss2 and possibly ss3 in the query; or
// only data when callback encryption is enabled in the project). A POST
// is read from its form body, or from its query when the body carries
// none of those parameters (both at once are refused). Other methods are
// refused as malformed.
//
// Nothing is trusted before it is verified:
//   - with ss3 the RSA-SHA256 signature is checked, else with ss2 the
//     RSA-SHA1 one, with Paysera's public key (see [Config.PublicKeyPEM]);
//   - a callback with ss1 only is accepted only with [Config.AcceptSS1];
//   - without any signature, data must decrypt with AES-256-GCM under the
//     project password (or a previous one).
//
// Then the decoded projectid must be the configured project, and Paysera's
// id of the event must be there (requestid for macro callbacks, id for
// micro ones). Errors match the root sentinels: [paykit.ErrMalformed] (no
// data, bad encoding, duplicate keys, no id, wrong method),
// [paykit.ErrMissingSignature], [paykit.ErrInvalidSignature],
// [paykit.ErrWrongAccount], [paykit.ErrBodyTooLarge]. When the key cannot
// be obtained at all the error is also [paykit.IsTemporary].
//
// ParseCallback does not check status, amount, currency or the test flag:
// compare them with your order. Only what data carries is authenticated:
// parameters of your own on the callbackurl (e.g. ?order=5) are ignored
// here and anyone can change them, so find the order by cb.OrderID, never
// by them.
func (c *Client) ParseCallback(r *http.Request) (*Callback, error) {
	p, err := c.requestParams(r)
	if err != nil {
		return nil, err
	}
	return c.parse(r.Context(), p)
}

// requestParams extracts data, ss1, ss2 and ss3 from a GET query or a
// POST body or query.
func (c *Client) requestParams(r *http.Request) (callbackParams, error) {
	limit := c.maxBody
	if limit <= 0 {
		limit = paykit.DefaultMaxBodyBytes
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return callbackParams{}, fmt.Errorf("%w: method %s", paykit.ErrMalformed, clip(r.Method))
	}
	if int64(len(r.URL.RawQuery)) > limit {
		return callbackParams{}, fmt.Errorf("%w: query over %d bytes", paykit.ErrBodyTooLarge, limit)
	}
	inQuery, err := callbackQuery(r.URL.RawQuery)
	if err != nil || r.Method == http.MethodGet {
		return inQuery, err
	}
	body, err := paykit.ReadBody(r, limit)
	if err != nil {
		return callbackParams{}, err
	}
	inBody, err := callbackQuery(string(body))
	if err != nil {
		return callbackParams{}, err
	}
	switch {
	case !inBody.any():
		return inQuery, nil
	case inQuery.any():
		return callbackParams{}, fmt.Errorf("%w: callback parameters both in the query and in the body", paykit.ErrMalformed)
	}
	return inBody, nil
}

// ParseCallbackValues is [Client.ParseCallback] over already parsed
// parameters (data, ss1, ss2, ss3), for frameworks that parse the query
// themselves. Parameters given more than once are refused. ctx bounds a
// possible public-key download.
func (c *Client) ParseCallbackValues(ctx context.Context, v url.Values) (*Callback, error) {
	p, err := paramsFromValues(v)
	if err != nil {
		return nil, err
	}
	return c.parse(ctx, p)
}

func (c *Client) parse(ctx context.Context, p callbackParams) (*Callback, error) {
	if p.data == "" {
		return nil, fmt.Errorf("%w: \"data\" parameter not found", paykit.ErrMalformed)
	}
	query, via, err := c.open(ctx, &p)
	if err != nil {
		return nil, err
	}
	cb := &Callback{VerifiedBy: via}
	if err := cb.parseQuery(query); err != nil {
		return nil, err
	}
	if cb.ProjectID == "" {
		return nil, fmt.Errorf("%w: project id not provided in callback", paykit.ErrMalformed)
	}
	if cb.ProjectID != c.account {
		return nil, fmt.Errorf("%w: callback for project %s", paykit.ErrWrongAccount, clip(cb.ProjectID))
	}
	return cb.finish()
}

// open authenticates data and returns the decoded parameter string and how
// it was authenticated.
func (c *Client) open(ctx context.Context, p *callbackParams) (string, string, error) {
	sc := getScratch()
	defer sc.release()
	switch {
	case p.hasSS3:
		return c.openRSA(ctx, sc, crypto.SHA256, p, p.ss3, "ss3")
	case p.hasSS2:
		return c.openRSA(ctx, sc, crypto.SHA1, p, p.ss2, "ss2")
	case p.hasSS1:
		if !c.acceptSS1 {
			return "", "", fmt.Errorf("%w: only ss1 present and AcceptSS1 is off", paykit.ErrMissingSignature)
		}
		if !c.matchSS1(p.value(p.data), p.value(p.ss1)) {
			return "", "", fmt.Errorf("%w: ss1", paykit.ErrInvalidSignature)
		}
		data := p.value(p.data)
		q, err := decodeBase64(data)
		if err != nil {
			return "", "", fmt.Errorf("%w: data: %w", paykit.ErrMalformed, err)
		}
		return string(q), "ss1", nil
	default:
		sc.data = p.appendValue(sc.data[:0], p.data)
		q, err := c.decrypt(sc)
		if err != nil {
			return "", "", err
		}
		return q, "aes-gcm", nil
	}
}

// matchSS1 reports whether ss1 is md5(data + secret) for the password or
// a previous one. Every secret is tried and compared over the whole
// length in constant time, so timing reveals neither how much of ss1
// matched nor which secret did.
func (c *Client) matchSS1(data, ss1 string) bool {
	match := 0
	for _, secret := range c.secrets {
		if equalLowerHex(ss1, md5Hex(data, secret)) {
			match = 1
		}
	}
	return match == 1
}

// openRSA verifies the signature sigText over data, then decodes data.
func (c *Client) openRSA(ctx context.Context, sc *scratch, hash crypto.Hash, p *callbackParams, sigText, name string) (string, string, error) {
	sc.sig = p.appendValue(sc.sig[:0], sigText)
	sig, err := decodeSignatureInto(sc.sigDec, sc.sig)
	if err != nil || len(sig) == 0 {
		return "", "", fmt.Errorf("%w: %s is not base64", paykit.ErrInvalidSignature, name)
	}
	sc.sigDec = sig
	sc.data = p.appendValue(sc.data[:0], p.data)
	if err := c.keys.verify(ctx, hash, sc.data, sig); err != nil {
		return "", "", fmt.Errorf("%s: %w", name, err)
	}
	q, err := decodeBase64Into(sc.dec, sc.data)
	if err != nil {
		return "", "", fmt.Errorf("%w: data: %w", paykit.ErrMalformed, err)
	}
	sc.dec = q
	return string(q), name, nil
}

// newCallback fills a Callback from verified parameters.
func newCallback(f url.Values) (*Callback, error) {
	cb := &Callback{}
	if err := cb.parseQuery(f.Encode()); err != nil {
		return nil, err
	}
	return cb.finish()
}

// parseQuery reads the verified parameter string into cb in one pass,
// with paykit.ParseForm's rules (duplicate keys, bad escapes and
// semicolons are refused) but without building a map: Fields() does that
// on demand.
func (cb *Callback) parseQuery(q string) error {
	cb.Query = q
	var seen uint64
	var unknown []string
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		if strings.IndexByte(pair, ';') >= 0 {
			return fmt.Errorf("%w: semicolon in form body", paykit.ErrMalformed)
		}
		rawKey, rawVal, _ := strings.Cut(pair, "=")
		key, ok := unescape(rawKey)
		if !ok {
			return fmt.Errorf("%w: bad escape in form key", paykit.ErrMalformed)
		}
		val, ok := unescape(rawVal)
		if !ok {
			return fmt.Errorf("%w: bad escape in value of %q", paykit.ErrMalformed, clip(key))
		}
		if i := cb.set(key, val); i >= 0 {
			if seen&(1<<i) != 0 {
				return fmt.Errorf("%w: duplicate form key %q", paykit.ErrMalformed, clip(key))
			}
			seen |= 1 << i
			continue
		}
		if slices.Contains(unknown, key) {
			return fmt.Errorf("%w: duplicate form key %q", paykit.ErrMalformed, clip(key))
		}
		unknown = append(unknown, key)
	}
	return nil
}

// set assigns one received parameter to its typed field and returns the
// key's index among the known keys (below 64), or -1 for other keys.
func (cb *Callback) set(key, val string) int {
	switch key {
	case "type":
		cb.Type = val
		return 0
	case "projectid":
		cb.ProjectID = val
		return 1
	case "version":
		cb.Version = val
		return 2
	case "test":
		cb.Test = val == "1"
		return 3
	case "amount":
		cb.amountText = val
		return 4
	case "currency":
		cb.Currency = val
		return 5
	case "country":
		cb.Country = val
		return 6
	case "orderid":
		cb.OrderID = val
		return 7
	case "requestid":
		cb.RequestID = val
		return 8
	case "status":
		cb.Status = Status(val)
		return 9
	case "payamount":
		cb.payAmountText = val
		return 10
	case "paycurrency":
		cb.PayCurrency = val
		return 11
	case "payment":
		cb.Payment = val
		return 12
	case "lang":
		cb.Lang = val
		return 13
	case "paytext":
		cb.PayText = val
		return 14
	case "original_paytext":
		cb.OriginalPayText = val
		return 15
	case "name":
		cb.Name = val
		return 16
	case "surename":
		cb.Surname = val
		return 17
	case "surname": // the facade's spelling; Paysera's "surename" wins
		if cb.Surname == "" {
			cb.Surname = val
		}
		return 18
	case "account":
		cb.Account = val
		return 19
	case "payment_country":
		cb.PaymentCountry = val
		return 20
	case "payer_ip_country":
		cb.PayerIPCountry = val
		return 21
	case "payer_country":
		cb.PayerCountry = val
		return 22
	case "personcodestatus":
		cb.PersonCodeStatus = PersonCodeStatus(val)
		return 23
	case "p_firstname":
		cb.Payer.FirstName = val
		return 24
	case "p_lastname":
		cb.Payer.LastName = val
		return 25
	case "p_email":
		cb.Payer.Email = val
		return 26
	case "p_street":
		cb.Payer.Street = val
		return 27
	case "p_city":
		cb.Payer.City = val
		return 28
	case "p_state":
		cb.Payer.State = val
		return 29
	case "p_zip":
		cb.Payer.Zip = val
		return 30
	case "p_countrycode":
		cb.Payer.CountryCode = val
		return 31
	case "id":
		cb.SMSID = val
		return 32
	case "to":
		cb.To, cb.hasTo = val, true
		return 33
	case "from":
		cb.From, cb.hasFrom = val, true
		return 34
	case "sms":
		cb.Text, cb.hasSMS = val, true
		return 35
	case "key":
		cb.Key = val
		return 36
	case "operator":
		cb.Operator = val
		return 37
	case "refund_timestamp":
		cb.refundTimestamp, cb.hasRefund = val, true
		return 38
	case "refund_amount":
		cb.refundAmount = val
		return 39
	case "refund_currency":
		cb.refundCurrency = val
		return 40
	case "refund_commission_amount":
		cb.refundCommission = val
		return 41
	case "refund_commission_currency":
		cb.refundCommCur = val
		return 42
	}
	return -1
}

// finish derives the type like Paysera's library, parses the amounts and
// the refund.
func (cb *Callback) finish() (*Callback, error) {
	if cb.Type != TypeMacro && cb.Type != TypeMicro {
		// Paysera's library: micro when to, from and sms are all present.
		cb.Type = TypeMacro
		if cb.hasTo && cb.hasFrom && cb.hasSMS {
			cb.Type = TypeMicro
		}
	}
	var err error
	if cb.Amount, err = minorUnits(cb.amountText, "amount"); err != nil {
		return nil, err
	}
	if cb.PayAmount, err = minorUnits(cb.payAmountText, "payamount"); err != nil {
		return nil, err
	}
	// Paysera's id names the event (see Client.EventKey): without it two
	// different payments would look like one, so refuse rather than key
	// on "". Paysera retries an unacknowledged callback.
	if cb.Type == TypeMicro && cb.SMSID == "" {
		return nil, fmt.Errorf("%w: micro callback without SMS id", paykit.ErrMalformed)
	}
	if cb.Type == TypeMacro && cb.RequestID == "" {
		return nil, fmt.Errorf("%w: macro callback without requestid", paykit.ErrMalformed)
	}
	if cb.hasRefund || cb.Status == StatusRefunded {
		cb.Refund = cb.newRefund()
	}
	return cb, nil
}

func (cb *Callback) newRefund() *Refund {
	r := &Refund{Currency: cb.refundCurrency, CommissionCurrency: cb.refundCommCur}
	r.Amount, _ = paykit.ParseDigits(cb.refundAmount)
	r.CommissionAmount, _ = paykit.ParseDigits(cb.refundCommission)
	if ts, err := strconv.ParseInt(cb.refundTimestamp, 10, 64); err == nil && ts > 0 {
		r.Timestamp = time.Unix(ts, 0).UTC()
	}
	return r
}

// minorUnits reads an integer amount in minor units; absent is 0.
func minorUnits(s, key string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, ok := paykit.ParseDigits(s)
	if !ok {
		return 0, fmt.Errorf("%w: %s is not a whole number of minor units", paykit.ErrMalformed, key)
	}
	return n, nil
}
