package vkpay

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
)

// LaunchSignParam is the launch parameter that carries the signature.
const LaunchSignParam = "sign"

// LaunchParamPrefix starts the name of every launch parameter VK signs.
const LaunchParamPrefix = "vk_"

// Launch holds the launch parameters VK passes to a mini app (the query of
// its URL), after [Client.VerifyLaunch] has checked their sign. Every field
// comes from a signed vk_* parameter; parameters without the prefix are
// not signed by VK and are not read.
type Launch struct {
	// UserID is the user who launched the app (vk_user_id).
	UserID int64
	// AppID is the app (vk_app_id); VerifyLaunch checked it is Config.AppID.
	AppID int64
	// Platform is where the app runs (vk_platform), e.g. mobile_android,
	// mobile_iphone, mobile_web, desktop_web.
	Platform string
	// Language is the interface language (vk_language), e.g. ru, en.
	Language string
	// TS is when VK signed the parameters (vk_ts); zero when VK sent none.
	// VK's sign never expires: compare TS with your own limit to refuse
	// old launch parameters replayed later.
	TS time.Time
	// IsAppUser, AreNotificationsEnabled and IsFavorite are
	// vk_is_app_user, vk_are_notifications_enabled and vk_is_favorite.
	IsAppUser, AreNotificationsEnabled, IsFavorite bool
	// GroupID is the community the app was launched from (vk_group_id); 0
	// when none.
	GroupID int64
	// ViewerGroupRole is the user's role in that community
	// (vk_viewer_group_role): none, member, moder, editor or admin.
	ViewerGroupRole string
	// Ref is where the app was launched from (vk_ref), e.g. catalog_recommendation.
	Ref string
	// AccessTokenSettings is the comma-separated list of rights the user
	// granted (vk_access_token_settings), e.g. "friends,photos".
	AccessTokenSettings string
	// ChatID is the chat the app was launched from (vk_chat_id); "" when
	// none.
	ChatID string
	// Params holds every vk_* parameter as received, decoded, including
	// those modelled above: all of them are covered by the sign.
	Params map[string]string
	// Sign is the verified sign.
	Sign string
}

// VerifyLaunch checks the launch parameters VK adds to a mini app's URL
// (pass the parsed query, e.g. url.ParseQuery of the string the client sent
// from window.location.search), so that a server can trust vk_user_id
// before any payment notification arrives.
//
// sign must be the HMAC-SHA256, under Config.Secret or one of
// Config.PreviousSecrets, of the vk_* parameters sorted by name and written
// name=value joined by "&" with the values URL-encoded, in base64url
// without padding, compared in constant time ([SignLaunch]). Then
// vk_app_id must be Config.AppID and vk_user_id a positive integer.
//
// Errors match paykit.ErrMissingSignature (no sign),
// paykit.ErrInvalidSignature, paykit.ErrWrongAccount or paykit.ErrMalformed
// (a repeated parameter; vk_user_id or vk_app_id missing or not a positive
// integer; a flag or vk_ts that is not a number). They never hold the
// expected sign or the secret.
func (c *Client) VerifyLaunch(query url.Values) (*Launch, error) {
	for k, vs := range query {
		if len(vs) > 1 && (k == LaunchSignParam || strings.HasPrefix(k, LaunchParamPrefix)) {
			return nil, fmt.Errorf("%w: launch parameter %s repeated", paykit.ErrMalformed, form.Clip(k))
		}
	}
	sign := query.Get(LaunchSignParam)
	if sign == "" {
		return nil, paykit.ErrMissingSignature
	}
	if !c.launchSignOK(query, sign) {
		return nil, paykit.ErrInvalidSignature
	}
	return c.decodeLaunch(query, sign)
}

// launchSignOK compares sign with the sign under every secret, in both
// encodings VK's documentation gives (see [SignLaunch]), in constant time.
func (c *Client) launchSignOK(query url.Values, sign string) bool {
	ok := 0
	for _, canon := range launchCanonicals(query) {
		for _, secret := range c.secrets {
			ok |= subtle.ConstantTimeCompare([]byte(launchMAC(canon, secret)), []byte(sign))
		}
	}
	return ok == 1
}

func (c *Client) decodeLaunch(query url.Values, sign string) (*Launch, error) {
	var d decoder
	l := &Launch{Sign: sign, Params: make(map[string]string)}
	for k := range query {
		if strings.HasPrefix(k, LaunchParamPrefix) {
			l.Params[k] = query.Get(k)
		}
	}
	p := l.Params
	l.AppID = d.int("vk_app_id", p["vk_app_id"], true)
	l.UserID = d.int("vk_user_id", p["vk_user_id"], true)
	if d.err == nil && (l.AppID <= 0 || l.UserID <= 0) {
		d.fail("vk_app_id or vk_user_id", "is not a positive integer")
	}
	if d.err == nil && l.AppID != c.appID {
		return nil, fmt.Errorf("%w: vk_app_id %d", paykit.ErrWrongAccount, l.AppID)
	}
	l.TS = d.time("vk_ts", p["vk_ts"], false)
	l.IsAppUser = d.bool("vk_is_app_user", p["vk_is_app_user"])
	l.AreNotificationsEnabled = d.bool("vk_are_notifications_enabled", p["vk_are_notifications_enabled"])
	l.IsFavorite = d.bool("vk_is_favorite", p["vk_is_favorite"])
	l.GroupID = d.int("vk_group_id", p["vk_group_id"], false)
	l.Platform, l.Language, l.Ref = p["vk_platform"], p["vk_language"], p["vk_ref"]
	l.ViewerGroupRole, l.ChatID = p["vk_viewer_group_role"], p["vk_chat_id"]
	l.AccessTokenSettings = p["vk_access_token_settings"]
	if d.err != nil {
		return nil, d.err
	}
	return l, nil
}

// SignLaunch returns the sign of the launch parameters in params as VK
// computes it: the parameters whose name starts with "vk_", sorted by name,
// written name=value joined by "&" with each value URL-encoded as the
// documentation's text says (RFC 3986: letters, digits and -_.~ as they
// are, every other byte %XX, a space %20), HMAC-SHA256 under secret,
// base64url without padding. Other parameters, sign among them, are not
// signed. Test kits use it; servers verify with [Client.VerifyLaunch].
//
// VK's documentation also gives a PHP sample that encodes with
// http_build_query (a space as "+", "~" as %7E); the two agree on every
// value VK is known to send, and VerifyLaunch accepts either.
func SignLaunch(params url.Values, secret string) string {
	return launchMAC(launchCanonical(params, rfc3986Escape), secret)
}

func launchMAC(canonical, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// launchCanonicals returns the signed string in the documented encoding
// and, when it differs, in the PHP sample's.
func launchCanonicals(params url.Values) []string {
	doc := launchCanonical(params, rfc3986Escape)
	// The encodings differ only on a space and "~".
	if !strings.ContainsAny(doc, "~") && !strings.Contains(doc, "%20") {
		return []string{doc}
	}
	return []string{doc, launchCanonical(params, phpEscape)}
}

func launchCanonical(params url.Values, escape func(string) string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if strings.HasPrefix(k, LaunchParamPrefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(k))
		b.WriteByte('=')
		b.WriteString(escape(params.Get(k)))
	}
	return b.String()
}

// rfc3986Escape percent-encodes every byte but the unreserved ones. The
// standard library has no such function: QueryEscape writes a space as
// "+" and PathEscape leaves sub-delimiters such as "," as they are.
func rfc3986Escape(s string) string {
	const hex = "0123456789ABCDEF"
	if !strings.ContainsFunc(s, func(r rune) bool { return !isUnreserved(r) }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(rune(c)) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func isUnreserved(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// phpEscape is PHP's urlencode, which http_build_query uses: QueryEscape
// but for "~", which PHP encodes.
func phpEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "~", "%7E")
}
