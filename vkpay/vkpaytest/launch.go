package vkpaytest

import (
	"cmp"
	"net/url"
	"strconv"
	"time"

	"github.com/paykit-go/paykit/vkpay"
)

// Launch describes the launch parameters VK adds to a mini app's URL.
type Launch struct {
	// AppID is vk_app_id; 0 means Signer.AppID.
	AppID int64
	// UserID is vk_user_id.
	UserID int64
	// Platform is vk_platform; "" means "desktop_web".
	Platform string
	// Language is vk_language; "" means "ru".
	Language string
	// TS is vk_ts; zero means the time of signing.
	TS time.Time
	// IsAppUser, AreNotificationsEnabled and IsFavorite are sent as 0 or 1.
	IsAppUser, AreNotificationsEnabled, IsFavorite bool
	// GroupID, ViewerGroupRole, Ref and ChatID are sent when set
	// (vk_group_id, vk_viewer_group_role, vk_ref, vk_chat_id).
	GroupID         int64
	ViewerGroupRole string
	Ref             string
	ChatID          string
	// AccessTokenSettings is vk_access_token_settings, sent even when
	// empty, as VK does.
	AccessTokenSettings string
	// Extra parameters are added as given; those starting with "vk_" are
	// signed, as VK signs every vk_* parameter.
	Extra url.Values
}

// LaunchQuery returns the launch parameters VK appends to a mini app's
// URL, with sign computed by [vkpay.SignLaunch] under Signer.Secret.
func (s Signer) LaunchQuery(l Launch) url.Values {
	q := url.Values{}
	for k, v := range l.Extra {
		q[k] = append([]string(nil), v...)
	}
	q.Set("vk_app_id", strconv.FormatInt(cmp.Or(l.AppID, s.AppID), 10))
	q.Set("vk_user_id", strconv.FormatInt(l.UserID, 10))
	q.Set("vk_platform", cmp.Or(l.Platform, "desktop_web"))
	q.Set("vk_language", cmp.Or(l.Language, "ru"))
	q.Set("vk_ts", strconv.FormatInt(cmp.Or(l.TS, time.Now()).Unix(), 10))
	q.Set("vk_is_app_user", flag(l.IsAppUser))
	q.Set("vk_are_notifications_enabled", flag(l.AreNotificationsEnabled))
	q.Set("vk_is_favorite", flag(l.IsFavorite))
	q.Set("vk_access_token_settings", l.AccessTokenSettings)
	if l.GroupID != 0 {
		q.Set("vk_group_id", strconv.FormatInt(l.GroupID, 10))
	}
	setIf(q, "vk_viewer_group_role", l.ViewerGroupRole)
	setIf(q, "vk_ref", l.Ref)
	setIf(q, "vk_chat_id", l.ChatID)
	q.Del(vkpay.LaunchSignParam)
	q.Set(vkpay.LaunchSignParam, vkpay.SignLaunch(q, s.Secret))
	return q
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
