package playvision_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

const (
	testAppID  = 7001
	testSecret = "pv_secret_for_tests"
)

type vectors struct {
	DocsExample struct {
		Params      map[string]string `json:"params"`
		Secret      string            `json:"secret"`
		ExpectedSig string            `json:"expected_sig"`
	} `json:"docs_example"`
	GetItemTest struct {
		Secret      string `json:"secret"`
		Body        string `json:"body_urlencoded"`
		Canonical   string `json:"canonical"`
		ExpectedSig string `json:"expected_sig"`
	} `json:"get_item_test"`
}

func loadVectors(tb testing.TB) vectors {
	tb.Helper()
	b, err := os.ReadFile("testdata/playvision.json")
	require.NoError(tb, err)
	var v vectors
	require.NoError(tb, json.Unmarshal(b, &v))
	return v
}

func newClient(tb testing.TB, mod ...func(*playvision.Config)) *playvision.Client {
	tb.Helper()
	cfg := playvision.Config{AppID: testAppID, Secret: testSecret}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := playvision.New(cfg)
	require.NoError(tb, err)
	return c
}

var signer = playvisiontest.Signer{Secret: testSecret}
