package playvisiontest

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Signer signs notifications and launch parameters exactly as Playvision
// does, so that merchants can test their handlers without the platform.
// It is written independently of package playvision's verifier.
type Signer struct {
	// Secret is the application's secret key.
	Secret string
	// Client sends for Send; nil means http.DefaultClient.
	Client *http.Client
}

// Sign returns the sig of params: the lowercase hex MD5 of every
// parameter except "sig", sorted by name bytewise, written as name=value
// (values decoded) with no separator, followed by the secret.
func (s Signer) Sign(params url.Values) string {
	return hexMD5(Canonical(params) + s.Secret)
}

// Canonical returns the string Playvision hashes before the secret is
// appended: name=value pairs of every parameter except "sig", sorted by
// name, with no separator.
func Canonical(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "sig" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range params[k] {
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String()
}

// Form returns a copy of params with sig set.
func (s Signer) Form(params url.Values) url.Values {
	out := make(url.Values, len(params)+1)
	for k, v := range params {
		if k != "sig" {
			out[k] = append([]string(nil), v...)
		}
	}
	out.Set("sig", s.Sign(out))
	return out
}

// Body returns the signed application/x-www-form-urlencoded body of params.
func (s Signer) Body(params url.Values) string { return s.Form(params).Encode() }

// NewRequest returns a server-side request delivering params signed, as
// Playvision does (a form POST), for calling a handler's ServeHTTP in a
// test. Like httptest.NewRequest it panics on an invalid target.
func (s Signer) NewRequest(target string, params url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(s.Body(params)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	return r
}

// Send POSTs params signed to a running server at url, as Playvision
// does, with Signer.Client, and returns its response; close its Body.
func (s Signer) Send(ctx context.Context, url string, params url.Values) (*http.Response, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(s.Body(params)))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	return c.Do(r)
}

// AuthKey returns the auth_key of the launch parameters:
// md5(api_id + "_" + viewer_id + "_" + secret) in hex.
func (s Signer) AuthKey(appID, viewerID int64) string {
	return hexMD5(strconv.FormatInt(appID, 10) + "_" + strconv.FormatInt(viewerID, 10) + "_" + s.Secret)
}

// Launch describes the launch parameters of the app's iframe.
type Launch struct {
	AppID, ViewerID int64
	PSID, SID       string
	Nickname, Token string
	Hash            string
}

// LaunchQuery returns the launch parameters Playvision appends to the app's
// iframe URL, with auth_key. Empty optional fields are left out.
func (s Signer) LaunchQuery(l Launch) url.Values {
	q := url.Values{
		"api_id":    {strconv.FormatInt(l.AppID, 10)},
		"viewer_id": {strconv.FormatInt(l.ViewerID, 10)},
		"auth_key":  {s.AuthKey(l.AppID, l.ViewerID)},
	}
	for k, v := range map[string]string{"psid": l.PSID, "sid": l.SID, "nickname": l.Nickname, "token": l.Token, "hash": l.Hash} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// GetItem describes a get_item notification.
type GetItem struct {
	// AppID is sent as app_id; 0 leaves it out.
	AppID  int64
	UserID int64
	Item   string
	// Test sends get_item_test.
	Test bool
	// Extra parameters are added as given (and signed), e.g. to test
	// fields a later platform version might add.
	Extra url.Values
}

// Params returns the unsigned parameters of g.
func (g GetItem) Params() url.Values {
	p := url.Values{
		"notification_type": {typeName("get_item", g.Test)},
		"user_id":           {strconv.FormatInt(g.UserID, 10)},
		"item":              {g.Item},
	}
	if g.AppID != 0 {
		p.Set("app_id", strconv.FormatInt(g.AppID, 10))
	}
	addExtra(p, g.Extra)
	return p
}

// OrderStatusChange describes an order_status_change notification.
type OrderStatusChange struct {
	// AppID is sent as app_id when not 0 (the docs list no app_id here).
	AppID  int64
	UserID int64
	// SID is the game server id; "" sends "0".
	SID           string
	TransactionID int64
	Sum           int64
	ItemID        string
	// Time is sent as a unix timestamp; zero means now.
	Time time.Time
	// Test sends order_status_change_test.
	Test bool
	// Extra parameters are added as given and signed, e.g. the historic
	// "bonus".
	Extra url.Values
}

// Params returns the unsigned parameters of o.
func (o OrderStatusChange) Params() url.Values {
	t := o.Time
	if t.IsZero() {
		t = time.Now()
	}
	p := url.Values{
		"notification_type": {typeName("order_status_change", o.Test)},
		"user_id":           {strconv.FormatInt(o.UserID, 10)},
		"sid":               {cmp.Or(o.SID, "0")},
		"transaction_id":    {strconv.FormatInt(o.TransactionID, 10)},
		"sum":               {strconv.FormatInt(o.Sum, 10)},
		"item_id":           {o.ItemID},
		"time":              {strconv.FormatInt(t.Unix(), 10)},
	}
	if o.AppID != 0 {
		p.Set("app_id", strconv.FormatInt(o.AppID, 10))
	}
	addExtra(p, o.Extra)
	return p
}

func typeName(base string, test bool) string {
	if test {
		return base + "_test"
	}
	return base
}

func addExtra(p, extra url.Values) {
	for k, v := range extra {
		p[k] = append([]string(nil), v...)
	}
}

func hexMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
