package vkpay

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/paykit-go/paykit"
)

// Every byte against a plain reference: the ends of a-z, A-Z, 0-9 and the
// bytes just outside them included.
func TestIsUnreservedAgreesWithRFC3986OnEveryByte(t *testing.T) {
	const unreserved = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"
	for c := rune(0); c < 256; c++ {
		if got, want := isUnreserved(c), strings.ContainsRune(unreserved, c); got != want {
			t.Errorf("isUnreserved(%q) = %t, want %t", c, got, want)
		}
	}
}

func launchClient(t *testing.T) *Client {
	t.Helper()
	c, err := New(Config{AppID: 6736218, Secret: "wvl68m4dR1UpLrVRli"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A "~" in a value (and no space) is where VK's two documented encodings
// part: the PHP sample's http_build_query writes "%7E". A sign computed
// that way verifies too.
func TestLaunchSignedThePHPWayWithATildeVerifies(t *testing.T) {
	p := url.Values{"vk_app_id": {"6736218"}, "vk_user_id": {"494075"}, "vk_ref": {"feed~1"}}
	p.Set(LaunchSignParam, launchMAC(launchCanonical(p, phpEscape), "wvl68m4dR1UpLrVRli"))
	if _, err := launchClient(t).VerifyLaunch(p); err != nil {
		t.Fatalf("PHP-encoded sign over a value with ~: %v", err)
	}
}

func TestLaunchWithUserOrAppZeroIsMalformed(t *testing.T) {
	for _, tt := range []struct{ app, user string }{{"6736218", "0"}, {"0", "494075"}} {
		p := url.Values{"vk_app_id": {tt.app}, "vk_user_id": {tt.user}}
		p.Set(LaunchSignParam, SignLaunch(p, "wvl68m4dR1UpLrVRli"))
		_, err := launchClient(t).VerifyLaunch(p)
		if !errors.Is(err, paykit.ErrMalformed) {
			t.Errorf("vk_app_id %s, vk_user_id %s: err = %v, want ErrMalformed", tt.app, tt.user, err)
		}
	}
}
