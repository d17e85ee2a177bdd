package playvision

import (
	"fmt"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// MaxItemLength is the longest item name payment.window accepts, in
// characters.
const MaxItemLength = 64

// PaymentWindow is the payment.window call that opens the purchase dialog
// for a user.
type PaymentWindow struct {
	// UserID is the buyer's Playvision user id (viewer_id of the launch
	// parameters).
	UserID int64
	// Item names what to buy, at most 64 characters. Playvision echoes it
	// in get_item; the buyer can alter it, so it should be a key your
	// Item hook looks up, not a price.
	Item string
	// Token is the user token from the launch parameters.
	Token string
}

// BuildPaymentURL returns the URL of the payment.window call:
// {base}/v1/payment.window?item=…&project_id=…&token=…&user_id=…, where
// base is https://{Config.Domain} unless Config.BaseURL is set. The call
// carries no sig: it is authorised by the user token. Errors match
// paykit.ErrInvalidRequest.
func (c *Client) BuildPaymentURL(w PaymentWindow) (string, error) {
	if w.UserID <= 0 {
		return "", &paykit.FieldError{Field: "user_id", Reason: "must be a positive user id"}
	}
	if w.Item == "" {
		return "", &paykit.FieldError{Field: "item", Reason: "is required"}
	}
	if !utf8.ValidString(w.Item) {
		return "", &paykit.FieldError{Field: "item", Reason: "is not valid UTF-8"}
	}
	if n := utf8.RuneCountInString(w.Item); n > MaxItemLength {
		return "", &paykit.FieldError{Field: "item", Reason: fmt.Sprintf("is %d characters, at most %d allowed", n, MaxItemLength)}
	}
	if w.Token == "" {
		return "", &paykit.FieldError{Field: "token", Reason: "is required"}
	}
	q := url.Values{
		"user_id":    {strconv.FormatInt(w.UserID, 10)},
		"project_id": {c.account},
		"item":       {w.Item},
		"token":      {w.Token},
	}
	return c.base + "/v1/payment.window?" + q.Encode(), nil
}

// Launch holds the parameters Playvision adds to the app's iframe URL,
// after [Client.VerifyLaunch] has checked auth_key.
type Launch struct {
	// APIID is the application id (api_id).
	APIID int64
	// ViewerID is the user who launched the app (viewer_id).
	ViewerID int64
	// PSID is the internal game server id, SID the external one set by
	// the app; "" when not sent.
	PSID, SID string
	// Nickname is the player's nickname.
	Nickname string
	// Token is the user token, needed for payment.window.
	Token string
	// Hash is the URL fragment of the launch, passed as "hash".
	Hash string
	// AuthKey is the verified auth_key.
	AuthKey string
}

// VerifyLaunch checks the launch parameters of the app's iframe URL
// (pass r.URL.Query()). auth_key must be the MD5 hex of
// api_id + "_" + viewer_id + "_" + secret, with Config.Secret or one of
// Config.PreviousSecrets, compared in constant time; api_id must be
// Config.AppID. Only api_id, viewer_id and the secret are covered by
// auth_key: the other fields (token, sid, nickname, …) are not
// authenticated by it.
//
// Errors match paykit.ErrMissingSignature (no auth_key),
// paykit.ErrInvalidSignature, paykit.ErrWrongAccount or paykit.ErrMalformed
// (missing, repeated or non-numeric api_id / viewer_id).
func (c *Client) VerifyLaunch(query url.Values) (*Launch, error) {
	for _, k := range [...]string{"api_id", "viewer_id", "auth_key", "psid", "sid", "nickname", "token", "hash"} {
		if len(query[k]) > 1 {
			return nil, fmt.Errorf("%w: launch parameter %s repeated", paykit.ErrMalformed, k)
		}
	}
	key := query.Get("auth_key")
	if key == "" {
		return nil, paykit.ErrMissingSignature
	}
	apiID, viewerID := query.Get("api_id"), query.Get("viewer_id")
	if err := signature.VerifyJoinedMD5([]string{apiID, viewerID}, "_", key, c.secrets); err != nil {
		return nil, err
	}
	app, ok := form.Digits(apiID)
	if !ok || app == 0 {
		return nil, fmt.Errorf("%w: api_id is not a positive integer", paykit.ErrMalformed)
	}
	viewer, ok := form.Digits(viewerID)
	if !ok || viewer == 0 {
		return nil, fmt.Errorf("%w: viewer_id is not a positive integer", paykit.ErrMalformed)
	}
	if app != c.cfg.AppID {
		return nil, fmt.Errorf("%w: api_id %d", paykit.ErrWrongAccount, app)
	}
	return &Launch{
		APIID: app, ViewerID: viewer,
		PSID: query.Get("psid"), SID: query.Get("sid"),
		Nickname: query.Get("nickname"), Token: query.Get("token"),
		Hash: query.Get("hash"), AuthKey: key,
	}, nil
}
