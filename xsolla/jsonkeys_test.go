package xsolla

import (
	"fmt"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJSONKeysMatchExactly: keys are matched byte for byte (encoding/json
// would fold case): a case variant of a key that decides account, type, id
// or test flag is refused, never read as that key; and a repeated key
// anywhere in the signed body is refused, so the project check always sees
// the one real settings.project_id.
func TestJSONKeysMatchExactly(t *testing.T) {
	c := newTestClient(t)
	tests := []struct {
		name, body string
		want       error // nil: accepted
		project    ID
	}{
		{"Settings is not settings", `{"notification_type":"payment","Settings":{"project_id":99999},"transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"Notification_Type is not notification_type", `{"notification_type":"payment","Notification_Type":"refund","transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"Dry_Run is not dry_run", `{"notification_type":"payment","transaction":{"id":1,"Dry_Run":1}}`, paykit.ErrMalformed, ""},
		{"unknown keys are still fine", `{"notification_type":"payment","settingz":{"project_id":99999},"transaction":{"id":1,"dryrun":1}}`, nil, ""},
		{"PROJECT_ID is not project_id", `{"notification_type":"payment","settings":{"PROJECT_ID":99999,"project_id":18404},"transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"Project_Id alone is refused", `{"notification_type":"payment","settings":{"Project_Id":99999},"transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"real settings after a case variant", `{"notification_type":"payment","Settings":{"project_id":18404},"settings":{"project_id":99999},"transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"case variant after the real settings", `{"notification_type":"payment","settings":{"project_id":18404},"Settings":{"project_id":99999},"transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"settings twice, wrong one last", `{"notification_type":"payment","settings":{"project_id":18404},"settings":{"project_id":99999},"transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"settings twice, right one last", `{"notification_type":"payment","settings":{"project_id":99999},"settings":{"project_id":18404},"transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"project_id twice", `{"notification_type":"payment","settings":{"project_id":99999,"project_id":18404},"transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"escaped duplicate key", `{"notification_type":"payment","settings":{"project_id":99999,"project\u005fid":18404},"transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"notification_type twice", `{"notification_type":"user_validation","notification_type":"payment","transaction":{"id":1}}`, paykit.ErrMalformed, ""},
		{"transaction id twice", `{"notification_type":"payment","transaction":{"id":1,"id":2}}`, paykit.ErrMalformed, ""},
		{"duplicate in an unmodelled object", `{"notification_type":"payment","transaction":{"id":1},"extra":{"a":1,"a":2}}`, paykit.ErrMalformed, ""},
		{"duplicate in custom_parameters", `{"notification_type":"payment","transaction":{"id":1},"custom_parameters":{"a":1,"a":2}}`, paykit.ErrMalformed, ""},
		{"duplicate in an array element", `{"notification_type":"order_paid","order":{"id":1},"items":[{"sku":"a","sku":"b"}]}`, paykit.ErrMalformed, ""},
		{"same key in sibling objects is fine", `{"notification_type":"payment","settings":{"project_id":18404},"transaction":{"id":1},"user":{"id":"u"}}`, nil, "18404"},
		{"wrong project alone", `{"notification_type":"payment","settings":{"project_id":99999},"transaction":{"id":1}}`, paykit.ErrWrongAccount, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := c.ParseBody([]byte(tt.body), authHeader(sign(tt.body, testSecret)))
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.project, n.(*Payment).Settings.ProjectID)
		})
	}
}

// TestDuplicateKeysInLargeObjects: objects past the linear scan (a map
// takes over) still refuse a repeated or case-folded key, and accept
// distinct ones.
func TestDuplicateKeysInLargeObjects(t *testing.T) {
	c := newTestClient(t)
	wide := func(n int, extra string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, `"k%d":%d,`, i, i)
		}
		return `{"notification_type":"payment","transaction":{"id":1},"custom_parameters":{` + b.String() + extra + `}}`
	}
	for _, n := range []int{maxLinearKeys - 1, maxLinearKeys, maxLinearKeys + 1, 200} {
		for extra, want := range map[string]error{
			`"last":1`:                     nil,
			`"k0":1`:                       paykit.ErrMalformed,
			`"K0":1`:                       paykit.ErrMalformed,
			`"k1":1,"last":2`:              paykit.ErrMalformed,
			`"last":1,"LAST":2`:            paykit.ErrMalformed,
			`"\u006b0":1`:                  paykit.ErrMalformed,
			`"kelvin\u212a":1,"kelvink":2`: paykit.ErrMalformed,
		} {
			body := wide(n, extra)
			_, err := c.ParseBody([]byte(body), authHeader(sign(body, testSecret)))
			if want == nil {
				assert.NoError(t, err, "%d keys + %s", n, extra)
			} else {
				assert.ErrorIs(t, err, want, "%d keys + %s", n, extra)
			}
		}
	}
}

// TestProjectAndMerchantComparedAsNumbers: 18404.0 and "18404" name the
// configured project; 18404.5 and 18405 do not.
func TestProjectAndMerchantComparedAsNumbers(t *testing.T) {
	c := newTestClient(t)
	for body, want := range map[string]error{
		`{"notification_type":"payment","settings":{"project_id":18404.0,"merchant_id":2340},"transaction":{"id":1}}`:     nil,
		`{"notification_type":"payment","settings":{"project_id":1.8404e4,"merchant_id":2340.00},"transaction":{"id":1}}`: nil,
		`{"notification_type":"payment","settings":{"project_id":"18404","merchant_id":"2340"},"transaction":{"id":1}}`:   nil,
		`{"notification_type":"payment","settings":{"project_id":18404.5},"transaction":{"id":1}}`:                        paykit.ErrWrongAccount,
		`{"notification_type":"payment","settings":{"project_id":18405.0},"transaction":{"id":1}}`:                        paykit.ErrWrongAccount,
		`{"notification_type":"payment","settings":{"project_id":18404,"merchant_id":2340.1},"transaction":{"id":1}}`:     paykit.ErrWrongAccount,
		`{"notification_type":"payment","settings":{"project_id":"18404x"},"transaction":{"id":1}}`:                       paykit.ErrWrongAccount,
	} {
		_, err := c.ParseBody([]byte(body), authHeader(sign(body, testSecret)))
		if want == nil {
			assert.NoError(t, err, body)
		} else {
			assert.ErrorIs(t, err, want, body)
		}
	}
}
