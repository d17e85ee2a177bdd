package paysera

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
)

func vectorClient(t testing.TB, version string) *Client {
	t.Helper()
	v := mustVectors(t)
	c, err := New(Config{ProjectID: v.About.ProjectID, Password: v.About.Password, Version: version,
		PublicKeyPEM: []byte(v.About.PublicKeyPEM)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// requestFrom turns the ordered parameters of a vector into a
// PaymentRequest (typed fields, the rest in Extra).
func requestFrom(t *testing.T, params orderedMap) PaymentRequest {
	t.Helper()
	var r PaymentRequest
	for _, f := range params {
		switch f.key {
		case "orderid":
			r.OrderID = f.value
		case "accepturl":
			r.AcceptURL = f.value
		case "cancelurl":
			r.CancelURL = f.value
		case "callbackurl":
			r.CallbackURL = f.value
		case "amount":
			n, err := strconv.ParseInt(f.value, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			r.Amount = n
		case "currency":
			r.Currency = f.value
		case "lang":
			r.Lang = f.value
		case "country":
			r.Country = f.value
		case "paytext":
			r.PayText = f.value
		case "p_firstname":
			r.Payer.FirstName = f.value
		case "p_lastname":
			r.Payer.LastName = f.value
		case "p_email":
			r.Payer.Email = f.value
		case "test":
			r.Test = f.value == "1"
		case "time_limit":
			r.TimeLimit = vilniusToUTC(t, f.value)
		case "only_payments":
			r.OnlyPayments = strings.Split(f.value, ",")
		case "buyer_consent":
			r.BuyerConsent = f.value == "1"
		default:
			if r.Extra == nil {
				r.Extra = url.Values{}
			}
			r.Extra.Set(f.key, f.value)
		}
	}
	return r
}

// vilniusToUTC reads a Lithuanian local time (winter, UTC+2, or summer).
func vilniusToUTC(t *testing.T, s string) time.Time {
	t.Helper()
	local, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []time.Duration{2 * time.Hour, 3 * time.Hour} {
		if u := local.Add(-off); formatVilnius(u) == s {
			return u
		}
	}
	t.Fatalf("no UTC time formats as %s", s)
	return time.Time{}
}

func TestRequestVectorsAreReproducedByteForByte(t *testing.T) {
	v := mustVectors(t)
	c := vectorClient(t, "3.1.5")
	for name, rv := range v.Requests {
		t.Run(name, func(t *testing.T) {
			req := requestFrom(t, rv.Input)
			q, err := c.EncodeRequest(req)
			if err != nil {
				t.Fatal(err)
			}
			if q != rv.Query {
				t.Fatalf("query\n got %s\nwant %s", q, rv.Query)
			}
			form, err := c.BuildPaymentForm(req)
			if err != nil {
				t.Fatal(err)
			}
			if form.Data != rv.Data || form.Sign != rv.Sign {
				t.Errorf("data/sign = %s / %s, want %s / %s", form.Data, form.Sign, rv.Data, rv.Sign)
			}
			u, err := c.BuildPaymentURL(req)
			if err != nil {
				t.Fatal(err)
			}
			if u != rv.RedirectURL {
				t.Errorf("URL\n got %s\nwant %s", u, rv.RedirectURL)
			}
		})
	}
}

func TestDefaultVersionIs16AndMatchesTheSpecSign(t *testing.T) {
	v := mustVectors(t)
	c := vectorClient(t, "")
	req := requestFrom(t, v.Requests["R2_minimal"].Input)
	f, err := c.BuildPaymentForm(req)
	if err != nil {
		t.Fatal(err)
	}
	// spec §6: "R2 with version=1.6 → sign=60d81002f13c12e03e26ad1275dc884f".
	if f.Sign != "60d81002f13c12e03e26ad1275dc884f" {
		t.Errorf("sign = %s", f.Sign)
	}
}

func TestRepeatRequestMatchesTheSpec(t *testing.T) {
	c := vectorClient(t, "3.1.5")
	f, err := c.BuildRepeatForm("1001")
	if err != nil {
		t.Fatal(err)
	}
	q, _ := decodeBase64(f.Data)
	if string(q) != "orderid=1001&version=3.1.5&projectid=123456&repeat_request=1" {
		t.Errorf("repeat query %s", q)
	}
	if f.Sign != "7f9e4defdba26bad95dbb0bd79130a83" {
		t.Errorf("sign = %s", f.Sign)
	}
	if _, err := c.BuildRepeatURL("0"); !errors.Is(err, paykit.ErrInvalidRequest) {
		t.Errorf("repeat of order 0: %v", err)
	}
}

func baseRequest() PaymentRequest {
	return PaymentRequest{OrderID: "X1", AcceptURL: "https://a/", CancelURL: "https://c/", CallbackURL: "https://cb/"}
}

func TestValidationMatchesTheOfficialLibrary(t *testing.T) {
	v := mustVectors(t)
	c := vectorClient(t, "3.1.5")
	cases := map[string]func(*PaymentRequest){
		"missing_callbackurl":                 func(r *PaymentRequest) { r.CallbackURL = "" },
		"orderid_zero_string_treated_missing": func(r *PaymentRequest) { r.OrderID = "0" },
		"amount_decimal":                      func(r *PaymentRequest) { r.Extra = nil },
		"currency_lower_ok":                   func(r *PaymentRequest) { r.Currency = "eur" },
		"lang_2letters":                       func(r *PaymentRequest) { r.Lang = "en" },
		"unknown_param_passthrough": func(r *PaymentRequest) {
			r.DeveloperID = "abc"
			r.Extra = url.Values{"whatever": {"x"}}
		},
	}
	for name, vv := range v.Validation {
		t.Run(name, func(t *testing.T) {
			mutate, ok := cases[name]
			if !ok {
				t.Fatalf("no case for vector %s", name)
			}
			if name == "amount_decimal" {
				// Amount is an int64: a decimal cannot be typed, so check
				// the library's rule on the encoded value directly.
				err := validate(url.Values{"orderid": {"X1"}, "accepturl": {"a"}, "cancelurl": {"c"},
					"callbackurl": {"cb"}, "amount": {"12.50"}})
				checkFieldError(t, err, vv)
				return
			}
			req := baseRequest()
			mutate(&req)
			q, err := c.EncodeRequest(req)
			if vv.OK {
				if err != nil || q != vv.Query {
					t.Fatalf("got %q, %v; want %q", q, err, vv.Query)
				}
				return
			}
			checkFieldError(t, err, vv)
		})
	}
}

func checkFieldError(t *testing.T, err error, vv validationVector) {
	t.Helper()
	var fe *paykit.FieldError
	if !errors.As(err, &fe) || !errors.Is(err, paykit.ErrInvalidRequest) {
		t.Fatalf("error %v is not a FieldError matching ErrInvalidRequest", err)
	}
	if fe.Field != vv.Field {
		t.Errorf("field %s, want %s", fe.Field, vv.Field)
	}
	// The library's message, e.g. "'lang' value 'en' is invalid.", names
	// the same problem.
	wantKind := map[int]string{1: "required but missing", 3: "too long", 4: "is invalid"}[vv.Code]
	if !strings.Contains(fe.Reason, wantKind) {
		t.Errorf("reason %q does not say %q (library: %s)", fe.Reason, wantKind, vv.Message)
	}
}

func TestValidationRules(t *testing.T) {
	c := vectorClient(t, "")
	long := strings.Repeat("a", 256)
	cases := []struct {
		name   string
		mutate func(*PaymentRequest)
		field  string
	}{
		{"order id longer than 40 bytes", func(r *PaymentRequest) { r.OrderID = strings.Repeat("1", 41) }, "orderid"},
		{"lengths are bytes: 21 Lithuanian letters exceed 40", func(r *PaymentRequest) { r.OrderID = strings.Repeat("ą", 21) }, "orderid"},
		{"accepturl over 255", func(r *PaymentRequest) { r.AcceptURL = long }, "accepturl"},
		{"negative amount", func(r *PaymentRequest) { r.Amount = -5 }, "amount"},
		{"amount over 11 digits", func(r *PaymentRequest) { r.Amount = 123456789012 }, "amount"},
		{"currency of 4 letters", func(r *PaymentRequest) { r.Currency = "EURO" }, "currency"},
		{"country with a digit", func(r *PaymentRequest) { r.Country = "L1" }, "country"},
		{"payment over 20", func(r *PaymentRequest) { r.Payment = strings.Repeat("p", 21) }, "payment"},
		{"zip over 20", func(r *PaymentRequest) { r.Payer.Zip = strings.Repeat("1", 21) }, "p_zip"},
		{"country code of 3", func(r *PaymentRequest) { r.Payer.CountryCode = "LTU" }, "p_countrycode"},
		{"time limit before year 0", func(r *PaymentRequest) { r.TimeLimit = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }, "time_limit"},
		{"method key with comma", func(r *PaymentRequest) { r.OnlyPayments = []string{"a,b"} }, "only_payments"},
		{"extra repeats a typed field", func(r *PaymentRequest) { r.Extra = url.Values{"orderid": {"1"}} }, "orderid"},
		{"extra sets projectid", func(r *PaymentRequest) { r.Extra = url.Values{"projectid": {"1"}} }, "projectid"},
		{"extra with two values", func(r *PaymentRequest) { r.Extra = url.Values{"x": {"1", "2"}} }, "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := baseRequest()
			tc.mutate(&r)
			_, err := c.BuildPaymentURL(r)
			var fe *paykit.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, paykit.ErrInvalidRequest) {
				t.Fatalf("got %v, want a FieldError for %s", err, tc.field)
			}
		})
	}
}

func TestValidationAccepts(t *testing.T) {
	c := vectorClient(t, "")
	cases := map[string]func(*PaymentRequest){
		"country with underscore (library regex)": func(r *PaymentRequest) { r.Country = "L_" },
		"p_state of 255 bytes (lib 3.1.5)":        func(r *PaymentRequest) { r.Payer.State = strings.Repeat("s", 255) },
		"lower-case lang":                         func(r *PaymentRequest) { r.Lang = "eng" },
		"every typed field": func(r *PaymentRequest) {
			*r = PaymentRequest{OrderID: "A", Amount: 1, Currency: "EUR", AcceptURL: "a", CancelURL: "c", CallbackURL: "cb",
				Lang: "LIT", Payment: "card", Country: "LT", PayText: "[order_nr] [site_name]", Test: true,
				TimeLimit: time.Date(2030, 7, 1, 9, 0, 0, 0, time.UTC), OnlyPayments: []string{"card"},
				DisallowPayments: []string{"hanza", "vb2"}, Payer: Payer{"F", "L", "e@x", "S", "C", "ST", "Z", "LT"},
				PersonCode: "3", DeveloperID: "7", BuyerConsent: true, PluginName: "p", PluginVersion: "1", CMSVersion: "2"}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			r := baseRequest()
			mutate(&r)
			if _, err := c.BuildPaymentURL(r); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestEveryTypedFieldIsEncodedInWireOrder(t *testing.T) {
	c := vectorClient(t, "")
	r := PaymentRequest{OrderID: "A", Amount: 1, Currency: "EUR", AcceptURL: "a", CancelURL: "c", CallbackURL: "cb",
		Lang: "LIT", Payment: "card", Country: "LT", PayText: "t", Test: true,
		TimeLimit: time.Date(2030, 7, 1, 9, 0, 0, 0, time.UTC), OnlyPayments: []string{"card", "wallet"},
		DisallowPayments: []string{"hanza"}, Payer: Payer{"F", "L", "e@x", "S", "C", "ST", "Z", "LT"},
		PersonCode: "3", DeveloperID: "7", BuyerConsent: true, PluginName: "p", PluginVersion: "1", CMSVersion: "2",
		Extra: url.Values{"zz": {"1"}, "beneficiary_name": {"B"}}}
	q, err := c.EncodeRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	want := "orderid=A&accepturl=a&cancelurl=c&callbackurl=cb&amount=1&currency=EUR&lang=LIT&payment=card&country=LT" +
		"&paytext=t&p_firstname=F&p_lastname=L&p_email=e%40x&p_street=S&p_city=C&p_state=ST&p_zip=Z&p_countrycode=LT" +
		"&test=1&time_limit=2030-07-01+12%3A00%3A00&only_payments=card%2Cwallet&disallow_payments=hanza" +
		"&personcode=3&developerid=7&buyer_consent=1&plugin_name=p&plugin_version=1&cms_version=2" +
		"&beneficiary_name=B&zz=1&version=1.6&projectid=123456"
	if q != want {
		t.Errorf("query\n got %s\nwant %s", q, want)
	}
}

func TestTimeLimitIsVilniusTime(t *testing.T) {
	cases := []struct {
		utc  time.Time
		want string
	}{
		{time.Date(2030, 1, 15, 10, 30, 0, 0, time.UTC), "2030-01-15 12:30:00"},
		{time.Date(2030, 7, 1, 9, 0, 0, 0, time.UTC), "2030-07-01 12:00:00"},
		// 2030: DST from Sunday 31 March 01:00 UTC to Sunday 27 October 01:00 UTC.
		{time.Date(2030, 3, 31, 0, 59, 59, 0, time.UTC), "2030-03-31 02:59:59"},
		{time.Date(2030, 3, 31, 1, 0, 0, 0, time.UTC), "2030-03-31 04:00:00"},
		{time.Date(2030, 10, 27, 0, 59, 59, 0, time.UTC), "2030-10-27 03:59:59"},
		{time.Date(2030, 10, 27, 1, 0, 0, 0, time.UTC), "2030-10-27 03:00:00"},
		{time.Date(2030, 1, 15, 12, 30, 0, 0, time.FixedZone("X", 2*3600)), "2030-01-15 12:30:00"},
	}
	for _, tc := range cases {
		if got := formatVilnius(tc.utc); got != tc.want {
			t.Errorf("formatVilnius(%v) = %s, want %s", tc.utc, got, tc.want)
		}
	}
	if loc, err := time.LoadLocation("Europe/Vilnius"); err == nil {
		for tm := time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC); tm.Year() < 2027; tm = tm.Add(time.Hour) {
			if got, want := formatVilnius(tm), tm.In(loc).Format("2006-01-02 15:04:05"); got != want {
				t.Fatalf("%v: %s, tzdata says %s", tm, got, want)
			}
		}
	}
}

func TestNewValidatesTheConfig(t *testing.T) {
	cases := map[string]Config{
		"no project":            {Password: "p"},
		"project of 12 digits":  {ProjectID: 100000000000, Password: "p"},
		"no password":           {ProjectID: 1},
		"empty previous secret": {ProjectID: 1, Password: "p", PreviousSecrets: []string{""}},
		"long version":          {ProjectID: 1, Password: "p", Version: "1234567890"},
		"bad base URL":          {ProjectID: 1, Password: "p", BaseURL: "ftp://x"},
		"bad key":               {ProjectID: 1, Password: "p", PublicKeyPEM: []byte("nope")},
		"bad key URL":           {ProjectID: 1, Password: "p", PublicKeyURL: "/relative"},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg)
			var fe *paykit.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, paykit.ErrInvalidRequest) {
				t.Fatalf("got %v", err)
			}
			if strings.Contains(err.Error(), "p\"") {
				t.Errorf("error echoes the password: %v", err)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	cases := []struct {
		cfg  Config
		pay  string
		key  string
		meth string
		sms  string
	}{
		{Config{}, "https://bank.paysera.com/pay/", "https://www.paysera.com/download/public.key",
			"https://www.paysera.com/payment-methods/", "https://bank.paysera.com/psms/respond/"},
		{Config{Sandbox: true}, "https://sandbox.paysera.com/pay/", "https://sandbox.paysera.com/download/public.key",
			"https://sandbox.paysera.com/payment-methods/", "https://sandbox.paysera.com/psms/respond/"},
		{Config{BaseURL: "http://127.0.0.1:8080/emulator/paysera/"}, "http://127.0.0.1:8080/emulator/paysera/pay/",
			"http://127.0.0.1:8080/emulator/paysera/download/public.key",
			"http://127.0.0.1:8080/emulator/paysera/payment-methods/", "http://127.0.0.1:8080/emulator/paysera/psms/respond/"},
	}
	for _, tc := range cases {
		tc.cfg.ProjectID, tc.cfg.Password = 1, "p"
		c, err := New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := c.endpoints
		if got.pay != tc.pay || got.publicKey != tc.key || got.methods != tc.meth || got.smsAnswer != tc.sms {
			t.Errorf("%+v: endpoints %+v", tc.cfg, got)
		}
	}
}

// Extra carries any parameter whose typed field is empty, as Paysera's
// library forwards any parameter given to it; only the encoded value is
// validated, by the same table as a typed one.
func TestExtraPassesThroughWhereTheTypedFieldIsEmpty(t *testing.T) {
	c := vectorClient(t, "")
	cases := []struct {
		name  string
		extra url.Values
		typed func(*PaymentRequest)
		want  string // the parameters between the typed ones and version
	}{
		{"buyer_consent as a plain parameter", url.Values{"buyer_consent": {"1"}}, nil, "&buyer_consent=1"},
		{"developerid as a plain parameter", url.Values{"developerid": {"12345"}}, nil, "&developerid=12345"},
		{"plugin telemetry as plain parameters", url.Values{"plugin_name": {"shop"}, "plugin_version": {"2.0"}},
			nil, "&plugin_name=shop&plugin_version=2.0"},
		{"a required field given in Extra", url.Values{"orderid": {"77"}},
			func(r *PaymentRequest) { r.OrderID = "" }, "&orderid=77"},
		{"test as a plain parameter", url.Values{"test": {"1"}}, nil, "&test=1"},
		{"amount as a plain parameter", url.Values{"amount": {"500"}, "currency": {"EUR"}}, nil,
			"&amount=500&currency=EUR"},
		{"repeat of a false bool is no conflict", url.Values{"test": {"0"}},
			func(r *PaymentRequest) { r.Test = false }, "&test=0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := baseRequest()
			if tc.typed != nil {
				tc.typed(&r)
			}
			r.Extra = tc.extra
			q, err := c.EncodeRequest(r)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !strings.Contains(q, tc.want+"&version=") {
				t.Errorf("query %s does not end its parameters with %s", q, tc.want)
			}
		})
	}
}

// A conflict is a typed field set and the same key in Extra, or a key the
// client controls itself; a value in Extra that breaks the library's rule
// for its parameter is refused like a typed one.
func TestExtraConflictsAreFieldErrors(t *testing.T) {
	c := vectorClient(t, "")
	cases := []struct {
		name   string
		mutate func(*PaymentRequest)
		field  string
	}{
		{"buyer_consent typed and in Extra", func(r *PaymentRequest) {
			r.BuyerConsent = true
			r.Extra = url.Values{"buyer_consent": {"1"}}
		}, "buyer_consent"},
		{"developerid typed and in Extra", func(r *PaymentRequest) {
			r.DeveloperID = "1"
			r.Extra = url.Values{"developerid": {"1"}}
		}, "developerid"},
		{"payer e-mail typed and in Extra", func(r *PaymentRequest) {
			r.Payer.Email = "a@b"
			r.Extra = url.Values{"p_email": {"a@b"}}
		}, "p_email"},
		{"only_payments typed and in Extra", func(r *PaymentRequest) {
			r.OnlyPayments = []string{"card"}
			r.Extra = url.Values{"only_payments": {"card"}}
		}, "only_payments"},
		{"projectid", func(r *PaymentRequest) { r.Extra = url.Values{"projectid": {"1"}} }, "projectid"},
		{"version", func(r *PaymentRequest) { r.Extra = url.Values{"version": {"1.9"}} }, "version"},
		{"sign", func(r *PaymentRequest) { r.Extra = url.Values{"sign": {"x"}} }, "sign"},
		{"data", func(r *PaymentRequest) { r.Extra = url.Values{"data": {"x"}} }, "data"},
		{"lang of two letters in Extra", func(r *PaymentRequest) { r.Extra = url.Values{"lang": {"en"}} }, "lang"},
		{"test of 2 in Extra", func(r *PaymentRequest) { r.Extra = url.Values{"test": {"2"}} }, "test"},
		{"order id over 40 bytes in Extra", func(r *PaymentRequest) {
			r.OrderID = ""
			r.Extra = url.Values{"orderid": {strings.Repeat("1", 41)}}
		}, "orderid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := baseRequest()
			tc.mutate(&r)
			_, err := c.BuildPaymentURL(r)
			var fe *paykit.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, paykit.ErrInvalidRequest) {
				t.Fatalf("got %v, want a FieldError for %s", err, tc.field)
			}
		})
	}
}
