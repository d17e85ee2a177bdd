package xsolla

import (
	"html/template"
	"net/url"
	"slices"
	"strings"
)

// WidgetOptions configures [Client.WidgetHTML]. The zero value opens Pay
// Station in the widget's default lightbox.
type WidgetOptions struct {
	// ButtonText labels the button that opens the widget; "" = "Pay".
	ButtonText string
	// Lightbox sets the lightbox options; nil leaves the widget's defaults.
	Lightbox *Lightbox
	// ChildWindowTarget is childWindow.target for mobile: "_blank",
	// "_self" or "_parent"; "" leaves the default.
	ChildWindowTarget string
	// IframeOnly opens the iframe even on mobile.
	IframeOnly bool
}

// Lightbox holds the widget's lightbox options; empty fields are left out.
type Lightbox struct {
	Width, Height     string // CSS sizes, e.g. "740px"
	ZIndex            int
	OverlayOpacity    string // 0–1, e.g. "0.6"
	OverlayBackground string // CSS colour
	ContentBackground string
	Spinner           string // "xsolla", "round", "none" or "custom"
	SpinnerColor      string
	Modal             bool // the lightbox cannot be closed by the user
	CloseByClick      *bool
	CloseByKeyboard   *bool
}

func (l *Lightbox) options() map[string]any {
	o := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			o[k] = v
		}
	}
	set("width", l.Width)
	set("height", l.Height)
	set("overlayBackground", l.OverlayBackground)
	set("contentBackground", l.ContentBackground)
	set("spinner", l.Spinner)
	set("spinnerColor", l.SpinnerColor)
	if l.OverlayOpacity != "" {
		// Sent as a JS string: the widget assigns it to CSS opacity.
		o["overlayOpacity"] = l.OverlayOpacity
	}
	if l.ZIndex != 0 {
		o["zIndex"] = l.ZIndex
	}
	if l.Modal {
		o["modal"] = true
	}
	if l.CloseByClick != nil {
		o["closeByClick"] = *l.CloseByClick
	}
	if l.CloseByKeyboard != nil {
		o["closeByKeyboard"] = *l.CloseByKeyboard
	}
	return o
}

var widgetTemplate = template.Must(template.New("widget").Parse(
	`<button type="button" data-xpaystation-widget-open>{{.Button}}</button>
<script src="{{.Script}}"></script>
<script>XPayStationWidget.init({{.Options}});</script>
`))

var formTemplate = template.Must(template.New("form").Parse(
	`<form method="get" action="{{.Action}}">` +
		`{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}` +
		`<button type="submit">{{.Button}}</button></form>
`))

// WidgetHTML returns an HTML snippet that loads Xsolla's paystation-embed
// widget and opens Pay Station for token when its button is clicked. Every
// value is escaped by html/template for its context (the options are
// written as a JS object literal), so tokens and labels cannot inject
// markup. The widget gets the token, the sandbox flag and the full Pay
// Station 4 URL ([Client.PaymentURL], widget ≥ 1.2.0), so it opens the
// same page as the redirect flow, emulators included.
func (c *Client) WidgetHTML(token string, opts WidgetOptions) (template.HTML, error) {
	o := map[string]any{
		"access_token": token,
		"payment_url":  c.PaymentURL(token),
		"sandbox":      c.cfg.Sandbox,
	}
	if opts.Lightbox != nil {
		o["lightbox"] = opts.Lightbox.options()
	}
	if opts.ChildWindowTarget != "" {
		o["childWindow"] = map[string]string{"target": opts.ChildWindowTarget}
	}
	if opts.IframeOnly {
		o["iframeOnly"] = true
	}
	var b strings.Builder
	err := widgetTemplate.Execute(&b, map[string]any{
		"Button":  orDefault(opts.ButtonText, "Pay"),
		"Script":  orDefault(c.cfg.WidgetScriptURL, DefaultWidgetScriptURL),
		"Options": o,
	})
	//nolint:gosec // html/template escaped every value above.
	return template.HTML(b.String()), err
}

type formField struct{ Name, Value string }

// PaymentFormHTML returns a plain HTML form (no JavaScript) whose button
// opens Pay Station for token with a GET to [Client.PaymentURL]: the
// "simple HTML form" way to hand the buyer over. buttonText "" = "Pay".
func (c *Client) PaymentFormHTML(token, buttonText string) (template.HTML, error) {
	u, err := url.Parse(c.PaymentURL(token))
	if err != nil {
		return "", err
	}
	var fields []formField
	for k, vs := range u.Query() {
		for _, v := range vs {
			fields = append(fields, formField{k, v})
		}
	}
	// Deterministic order: the token last, other parameters as sorted.
	sortFields(fields)
	u.RawQuery = ""
	var b strings.Builder
	err = formTemplate.Execute(&b, map[string]any{
		"Action": u.String(), "Fields": fields, "Button": orDefault(buttonText, "Pay"),
	})
	//nolint:gosec // html/template escaped every value above.
	return template.HTML(b.String()), err
}

func sortFields(f []formField) {
	slices.SortFunc(f, func(a, b formField) int {
		if (a.Name == "token") != (b.Name == "token") {
			if a.Name == "token" {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Name, b.Name)
	})
}
