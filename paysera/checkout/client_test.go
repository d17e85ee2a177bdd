package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/paykit-go/paykit"
)

const (
	mockBase  = "https://api.paysera.test"
	mockToken = "eyJhbGciOiJSUzI1NiJ9.mock-access-token.sig"
	mockID    = "client-id-0123456789"
	mockSec   = "client-secret-abcdefghij"
)

// mock is a client on an httpmock transport, recording request bodies and
// the waits between attempts.
type mock struct {
	c     *Client
	mt    *httpmock.MockTransport
	mu    sync.Mutex
	waits []time.Duration
	sent  map[string][]byte // last body per "METHOD path"
}

func newMock(t *testing.T, cfg Config) *mock {
	t.Helper()
	m := &mock{mt: httpmock.NewMockTransport(), sent: map[string][]byte{}}
	cfg.ClientID, cfg.ClientSecret, cfg.BaseURL = mockID, mockSec, mockBase
	cfg.HTTPClient = &http.Client{Transport: m.mt}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = func(_ context.Context, d time.Duration) error {
		m.mu.Lock()
		m.waits = append(m.waits, d)
		m.mu.Unlock()
		return nil
	}
	m.c = c
	m.mt.RegisterResponder(http.MethodPost, mockBase+TokenPath, m.record(http.MethodPost+" token",
		httpmock.NewStringResponder(200, `{"access_token":"`+mockToken+`","expires_in":3600,"refresh_expires_in":0,"token_type":"Bearer","not-before-policy":0,"scope":"profile email"}`)))
	return m
}

// record wraps r to keep the request's body.
func (m *mock) record(key string, r httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		var b []byte
		if req.Body != nil {
			b, _ = io.ReadAll(req.Body)
		}
		m.mu.Lock()
		m.sent[key] = b
		m.mu.Unlock()
		return r(req)
	}
}

func (m *mock) on(method, path string, r httpmock.Responder) {
	m.mt.RegisterResponder(method, mockBase+path, m.record(method+" "+path, r))
}

func (m *mock) calls(method, path string) int {
	return m.mt.GetCallCountInfo()[method+" "+mockBase+path]
}

func orderReq() OrderRequest {
	return OrderRequest{Reference: "ORDER-1", Amount: paykit.Money{Amount: 2500, Currency: "EUR"},
		SuccessURL: "https://shop.example/ok", CallbackURL: "https://shop.example/wh"}
}

const orderReply = `{"order_id":"019ed03a-84f0-7ba0-874a-f7473738875b","project_id":"p","created_at":1736433270,"purchase":{"reference":"ORDER-1","amount":2500,"currency":"EUR"},"is_test":false}`

func TestClient_EncodesEachAmountAsDocumented(t *testing.T) {
	m := newMock(t, Config{})
	m.on(http.MethodPost, OrdersPath, httpmock.NewStringResponder(201, orderReply))
	m.on(http.MethodPost, LinksPath, httpmock.NewStringResponder(201, `{"link_id":"l-1","order_id":"o","payment_URL":"https://pay.example/l-1","purchase":{"amount":2500}}`))
	m.on(http.MethodPost, PaymentsPath+"/p-1/refunds", httpmock.NewStringResponder(201, `{"id":"r-1","status":"processing","amount":1000,"currency":"EUR","created_at":"2025-01-09T14:39:30+00:00"}`))
	m.mt.RegisterResponder(http.MethodGet, mockBase+MethodsPath+"?amount=2500&currency=EUR", httpmock.NewStringResponder(200, `{"items":[]}`))
	ctx := context.Background()
	url, err := m.c.BuildPaymentURL(ctx, PaymentRequest{Order: orderReq(), Link: LinkRequest{Language: "lt"}})
	if err != nil || url != "https://pay.example/l-1" {
		t.Fatalf("url %q, %v", url, err)
	}
	r, err := m.c.Refund(ctx, "p-1", RefundRequest{Amount: 1000})
	if err != nil || r.Created.Unix() != 1736433570 || r.ID != "r-1" {
		t.Fatalf("refund %+v %v", r, err)
	}
	if _, err := m.c.PaymentMethods(ctx, MethodsQuery{Amount: 2500, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	amount := func(key, path string) string {
		var v map[string]json.RawMessage
		if err := json.Unmarshal(m.sent[key], &v); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		for _, p := range strings.Split(path, ".") {
			raw := v[p]
			v = nil
			if json.Unmarshal(raw, &v) != nil {
				return string(raw)
			}
		}
		return ""
	}
	for _, tc := range []struct{ key, path, want string }{
		{"POST " + OrdersPath, "purchase.amount", `"2500"`},
		{"POST " + LinksPath, "purchase.amount", `2500`},
		{"POST " + PaymentsPath + "/p-1/refunds", "amount", `1000`},
		{"POST " + LinksPath, "order_id", `"019ed03a-84f0-7ba0-874a-f7473738875b"`},
		{"POST " + LinksPath, "name", `"Order ORDER-1"`},
		{"POST " + OrdersPath, "metadata.referer", `"https://shop.example"`},
		{"POST " + OrdersPath, "redirect_urls.callback_url", `"https://shop.example/wh"`},
	} {
		if got := amount(tc.key, tc.path); got != tc.want {
			t.Errorf("%s %s = %s, want %s", tc.key, tc.path, got, tc.want)
		}
	}
	form := string(m.sent["POST token"])
	for _, want := range []string{"grant_type=client_credentials", "client_id=" + mockID, "client_secret=" + mockSec} {
		if !strings.Contains(form, want) {
			t.Errorf("token form %q lacks %q", form, want)
		}
	}
}

func TestClient_OrderAmountAsNumberOption(t *testing.T) {
	m := newMock(t, Config{OrderAmountAsNumber: true})
	m.on(http.MethodPost, OrdersPath, httpmock.NewStringResponder(201, orderReply))
	if _, err := m.c.CreateOrder(context.Background(), orderReq()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m.sent["POST "+OrdersPath]), `"amount":2500,`) {
		t.Fatalf("body %s", m.sent["POST "+OrdersPath])
	}
}

func TestClient_RetryAfterIsHonoured(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		want         time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"capped", "100000", MaxRetryAfter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMock(t, Config{})
			m.on(http.MethodGet, MethodsPath, httpmock.NewStringResponder(429, `{"error":"too_many_requests"}`).
				HeaderSet(http.Header{"Retry-After": {tc.header}}).Once().
				Then(httpmock.NewStringResponder(200, `{"items":[]}`)))
			if _, err := m.c.PaymentMethods(context.Background(), MethodsQuery{}); err != nil {
				t.Fatal(err)
			}
			if len(m.waits) != 1 || m.waits[0] != tc.want {
				t.Fatalf("waits %v, want [%v]", m.waits, tc.want)
			}
		})
	}
}

func TestRetryAfter_Parses(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"": 0, "0": 0, "-5": 0, "60": time.Minute, " 3 ": 3 * time.Second, "soon": 0,
		"Thu, 01 Jan 2026 12:00:30 GMT": 30 * time.Second, "Thu, 01 Jan 2026 11:00:00 GMT": 0,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestClient_RetriesAreBoundedAndPOSTIsNotRetriedAfter5xx(t *testing.T) {
	m := newMock(t, Config{MaxRetries: 2})
	m.on(http.MethodGet, MethodsPath, httpmock.NewStringResponder(503, `{"error":"unavailable"}`))
	m.on(http.MethodPost, OrdersPath, httpmock.NewStringResponder(502, `bad gateway`))
	ctx := context.Background()
	var ae *paykit.APIError
	if _, err := m.c.PaymentMethods(ctx, MethodsQuery{}); !errors.As(err, &ae) || ae.StatusCode != 503 || !paykit.IsTemporary(err) {
		t.Fatalf("GET: %v", err)
	}
	if n := m.calls(http.MethodGet, MethodsPath); n != 3 {
		t.Fatalf("GET sent %d times, want 1 + 2 retries", n)
	}
	if _, err := m.c.CreateOrder(ctx, orderReq()); !errors.As(err, &ae) || ae.StatusCode != 502 {
		t.Fatalf("POST: %v", err)
	}
	if n := m.calls(http.MethodPost, OrdersPath); n != 1 {
		t.Fatalf("POST sent %d times after a 5xx: it may have created an order", n)
	}
	m.on(http.MethodPost, OrdersPath, httpmock.NewStringResponder(429, `{}`).Once().Then(httpmock.NewStringResponder(201, orderReply)))
	if _, err := m.c.CreateOrder(ctx, orderReq()); err != nil {
		t.Fatalf("POST after 429 not retried: %v", err)
	}
}

func TestClient_NetworkErrorRetriedForGETOnly(t *testing.T) {
	m := newMock(t, Config{MaxRetries: 1})
	m.on(http.MethodGet, OrdersPath+"/o-1", httpmock.ConnectionFailure)
	m.on(http.MethodPost, OrdersPath, httpmock.ConnectionFailure)
	ctx := context.Background()
	if _, err := m.c.GetOrder(ctx, "o-1"); err == nil || m.calls(http.MethodGet, OrdersPath+"/o-1") != 2 {
		t.Fatalf("GET: %v, %d calls", err, m.calls(http.MethodGet, OrdersPath+"/o-1"))
	}
	if _, err := m.c.CreateOrder(ctx, orderReq()); err == nil || m.calls(http.MethodPost, OrdersPath) != 1 {
		t.Fatalf("POST: %v", err)
	}
}

func TestClient_401RenewsTheTokenOnce(t *testing.T) {
	m := newMock(t, Config{})
	m.on(http.MethodGet, MethodsPath, httpmock.NewStringResponder(401, `{"error":"invalid_token"}`).Once().
		Then(httpmock.NewStringResponder(200, `{"items":[]}`)))
	ctx := context.Background()
	if _, err := m.c.PaymentMethods(ctx, MethodsQuery{}); err != nil {
		t.Fatal(err)
	}
	if n := m.calls(http.MethodPost, TokenPath); n != 2 {
		t.Fatalf("%d token requests, want 2", n)
	}
	m.on(http.MethodGet, MethodsPath, httpmock.NewStringResponder(401, `{"error":"invalid_token"}`))
	var ae *paykit.APIError
	if _, err := m.c.PaymentMethods(ctx, MethodsQuery{}); !errors.As(err, &ae) || ae.StatusCode != 401 {
		t.Fatalf("got %v", err)
	}
	if n := m.calls(http.MethodPost, TokenPath); n != 3 {
		t.Fatalf("%d token requests: a persistent 401 renewed more than once", n)
	}
}

func TestClient_ErrorFormats(t *testing.T) {
	for _, tc := range []struct {
		name, body       string
		status           int
		code, msgContain string
	}{
		{"current", `{"error":"invalid_request","error_description":"Validation failed","error_properties":{"purchase.amount":["must be positive"],"purchase.currency":["unknown"]}}`,
			400, "invalid_request", "Validation failed; purchase.amount: must be positive; purchase.currency: unknown"},
		{"older", `{"error":"validation_error","message":"Invalid data","details":[{"field":"amount","message":"too small"}]}`,
			422, "validation_error", "Invalid data; amount: too small"},
		{"oauth", `{"error":"invalid_client","error_description":"Invalid client credentials"}`, 401, "invalid_client", "Invalid client credentials"},
		{"not JSON", `<html>bad gateway</html>`, 409, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newAPIError(tc.status, []byte(tc.body), mockSec)
			if e.Code != tc.code || !strings.Contains(e.Message, tc.msgContain) || e.StatusCode != tc.status ||
				e.Provider != paykit.PayseraCheckout || !errors.Is(e, paykit.ErrAPI) {
				t.Fatalf("%+v", e)
			}
		})
	}
}

func TestClient_ErrorsNeverHoldCredentialsOrToken(t *testing.T) {
	m := newMock(t, Config{})
	echo := `{"error":"invalid_request","error_description":"echo Bearer ` + mockToken + ` id=` + mockID +
		`","request":{"client_secret":"` + mockSec + `","authorization":"Bearer ` + mockToken + `"}}`
	m.on(http.MethodPost, OrdersPath, httpmock.NewStringResponder(400, echo))
	_, err := m.c.CreateOrder(context.Background(), orderReq())
	var ae *paykit.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v", err)
	}
	for _, s := range []string{mockToken, mockSec, mockID} {
		if strings.Contains(err.Error(), s) || strings.Contains(string(ae.Body), s) {
			t.Fatalf("%q leaked: %v / %s", s, err, ae.Body)
		}
	}
	tokenErr := newMock(t, Config{})
	tokenErr.on(http.MethodPost, TokenPath, httpmock.NewStringResponder(401, `{"error":"invalid_client","error_description":"bad secret `+mockSec+`"}`))
	if _, err := tokenErr.c.PaymentMethods(context.Background(), MethodsQuery{}); err == nil || strings.Contains(err.Error(), mockSec) {
		t.Fatalf("token error %v", err)
	}
}

func TestClient_TokenReplyWithoutUsableToken(t *testing.T) {
	for name, body := range map[string]string{
		"no token":  `{"expires_in":3600,"token_type":"Bearer"}`,
		"not JSON":  `access_token=x`,
		"mac token": `{"access_token":"x","expires_in":3600,"token_type":"mac"}`,
	} {
		t.Run(name, func(t *testing.T) {
			m := newMock(t, Config{})
			m.on(http.MethodPost, TokenPath, httpmock.NewStringResponder(200, body))
			if _, err := m.c.PaymentMethods(context.Background(), MethodsQuery{}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestRenewAt(t *testing.T) {
	t0 := time.Unix(1736433570, 0)
	for _, tc := range []struct {
		expiresIn int64
		want      time.Duration
	}{{3600, 55 * time.Minute}, {600, 5 * time.Minute}, {60, 30 * time.Second}, {0, 0}, {-1, 0}} {
		if got := renewAt(t0, tc.expiresIn).Sub(t0); got != tc.want {
			t.Errorf("renewAt(%d) = +%v, want +%v", tc.expiresIn, got, tc.want)
		}
	}
}

func TestBuildPaymentURL_LinkFailureKeepsTheOrder(t *testing.T) {
	m := newMock(t, Config{})
	m.on(http.MethodPost, OrdersPath, httpmock.NewStringResponder(201, orderReply))
	m.on(http.MethodPost, LinksPath, httpmock.NewStringResponder(400, `{"error":"invalid_request"}`).Once().
		Then(httpmock.NewStringResponder(201, `{"link_id":"l-2","payment_URL":"https://pay.example/l-2"}`)))
	ctx := context.Background()
	_, err := m.c.BuildPaymentURL(ctx, PaymentRequest{Order: orderReq()})
	var le *LinkError
	if !errors.As(err, &le) || le.OrderID != "019ed03a-84f0-7ba0-874a-f7473738875b" || !errors.Is(err, paykit.ErrAPI) {
		t.Fatalf("got %v", err)
	}
	url, err := m.c.BuildPaymentURL(ctx, PaymentRequest{Order: orderReq(), OrderID: le.OrderID})
	if err != nil || url != "https://pay.example/l-2" || m.calls(http.MethodPost, OrdersPath) != 1 {
		t.Fatalf("retry %q %v, %d orders", url, err, m.calls(http.MethodPost, OrdersPath))
	}
}

func TestRequests_InvalidInputNamesTheField(t *testing.T) {
	m := newMock(t, Config{})
	ctx := context.Background()
	order := func(edit func(*OrderRequest)) error {
		r := orderReq()
		edit(&r)
		_, err := m.c.CreateOrder(ctx, r)
		return err
	}
	link := func(edit func(*LinkRequest)) error {
		r := LinkRequest{OrderID: "o", Name: "n", Amount: 1}
		edit(&r)
		_, err := m.c.CreatePaymentLink(ctx, r)
		return err
	}
	cases := []struct {
		name, field string
		err         error
	}{
		{"reference empty", "purchase.reference", order(func(r *OrderRequest) { r.Reference = "" })},
		{"reference with #", "purchase.reference", order(func(r *OrderRequest) { r.Reference = "ORDER#1" })},
		{"reference with Ž", "purchase.reference", order(func(r *OrderRequest) { r.Reference = "Žalias" })},
		{"reference 256 long", "purchase.reference", order(func(r *OrderRequest) { r.Reference = strings.Repeat("a", 256) })},
		{"amount zero", "purchase.amount", order(func(r *OrderRequest) { r.Amount.Amount = 0 })},
		{"currency lower", "purchase.currency", order(func(r *OrderRequest) { r.Amount.Currency = "eur" })},
		{"no callback", "redirect_urls.callback_url", order(func(r *OrderRequest) { r.CallbackURL = "" })},
		{"http callback", "redirect_urls.callback_url", order(func(r *OrderRequest) { r.CallbackURL = "http://shop.example/wh" })},
		{"relative success", "redirect_urls.success_url", order(func(r *OrderRequest) { r.SuccessURL = "/ok" })},
		{"metadata too long", "metadata", order(func(r *OrderRequest) { r.Metadata = map[string]string{"k": strings.Repeat("v", 256)} })},
		{"link without order", "order_id", link(func(r *LinkRequest) { r.OrderID = "" })},
		{"link name empty", "name", link(func(r *LinkRequest) { r.Name = "" })},
		{"language three letters", "experience.language", link(func(r *LinkRequest) { r.Language = "lit" })},
		{"language upper", "experience.language", link(func(r *LinkRequest) { r.Language = "EN" })},
		{"unknown flow", "experience.payment_flow", link(func(r *LinkRequest) { r.PaymentFlow = "popup" })},
		{"direct without method", "payment_details.key", link(func(r *LinkRequest) { r.PaymentFlow = FlowDirect })},
		{"lifetime fraction", "lifetime", link(func(r *LinkRequest) { r.Lifetime = 1500 * time.Millisecond })},
		{"lifetime over 999 days", "lifetime", link(func(r *LinkRequest) { r.Lifetime = 1000 * 24 * time.Hour })},
		{"bad email", "payer_information.email", link(func(r *LinkRequest) { r.PayerEmail = "John <j@example.com>" })},
		{"country lower", "payment_details.country_code", link(func(r *LinkRequest) { r.CountryCode = "lt" })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fe *paykit.FieldError
			if !errors.As(tc.err, &fe) || fe.Field != tc.field || !errors.Is(tc.err, paykit.ErrInvalidRequest) {
				t.Fatalf("got %v, want a field error on %s", tc.err, tc.field)
			}
		})
	}
	if n := m.mt.GetTotalCallCount(); n != 0 {
		t.Fatalf("%d calls made for invalid input", n)
	}
	if err := order(func(r *OrderRequest) { r.CallbackURL = "http://127.0.0.1:8080/wh"; r.Reference = "A_b/?:().,'+- 9" }); errors.Is(err, paykit.ErrInvalidRequest) {
		t.Fatalf("valid input refused: %v", err)
	}
}

func TestNew_RefusesIncompleteConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no client id":     {ClientSecret: "s"},
		"no secret":        {ClientID: "id"},
		"empty previous":   {ClientID: "id", ClientSecret: "s", PreviousSecrets: []string{""}},
		"relative baseurl": {ClientID: "id", ClientSecret: "s", BaseURL: "api.paysera.com"},
	} {
		if _, err := New(cfg); !errors.Is(err, paykit.ErrInvalidRequest) {
			t.Errorf("%s: %v", name, err)
		}
	}
	c, _ := New(Config{ClientID: "id", ClientSecret: "s", Sandbox: true})
	if c.BaseURL() != SandboxURL || c.Account() != "id" {
		t.Fatalf("%s %s", c.BaseURL(), c.Account())
	}
	c, _ = New(Config{ClientID: "id", ClientSecret: "s", ProjectID: "p-uuid"})
	if c.BaseURL() != ProductionURL || c.Account() != "p-uuid" {
		t.Fatalf("%s %s", c.BaseURL(), c.Account())
	}
}
