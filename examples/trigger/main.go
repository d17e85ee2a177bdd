// Command trigger sends one correctly signed notification of any paykit
// provider to a URL and prints the answer, like a payment provider CLI's
// "trigger" command. Point it at your callback handler to see how it
// answers a payment, a refund, a duplicate or an item request, without the
// provider. It exits with status 1 when the receiver refuses the
// notification (the provider's own refusal: a non-2xx status — Xsolla's
// and Paysera Checkout's only answer that counts —, Paysera without OK, VK's {"error":…}, Playvision's status -1, VK Pay's ERROR
// answer), so scripts and CI can rely on it.
//
// Against the demo shop (go run ./examples/shop), as the README shows:
//
//	go run ./examples/trigger -provider vkpay -type order_status_change -url http://127.0.0.1:8080/callback/vkpay
//	go run ./examples/trigger -provider playvision -url http://127.0.0.1:8080/callback/playvision
//	go run ./examples/trigger -provider xsolla -type user_validation -url http://127.0.0.1:8080/callback/xsolla
//	go run ./examples/trigger -provider paysera_checkout -order 1004 -id 77 -url http://127.0.0.1:8080/callback/paysera_checkout
//
// Types (-type; a _test suffix, or -test, sends the test variant):
//
//   - paysera: macro (-status 0…5; 5 is a refund) and micro (SMS);
//   - paysera_checkout (Paysera Checkout (New)): order/amount_paid_updated
//     (the order snapshot; -status pending_payment, paid, canceled or
//     closed), the same snapshot under the current reference's names
//     order.created, order.status_updated, order.reference_updated,
//     order.amount_updated, order.amount_paid_updated and
//     order.payment_link.expired_at_updated, payment/status_updated (-status settled, failed,
//     chargeback, … every payment status), refund/status_updated (-status
//     refunded, pending, processing, completed or failed), and the v3
//     generation's order.paid, order.pending_payment, order.canceled,
//     payment_link.completed, payment_link.expired and
//     payment_link.canceled with v3's headers; all HMAC-SHA256-signed
//     under -secret, the client secret. -order (merchant_order_id) is
//     required; -id is the event's order, payment, refund or link id; no
//     test variant (the webhooks carry no test flag);
//   - vkpay: get_item, order_status_change (-status chargeable or
//     refunded), get_subscription, subscription_status_change (-status
//     chargeable, active or cancelled);
//   - vkpay-merchant (VK Pay): payment and refund (-status paid, new, wait,
//     process, held, rejected, expired, hold_failed, hold_canceled), signed
//     with the RSA key of -vkpay-key;
//   - xsolla: all 21 webhooks — user_validation, user_search, payment,
//     refund, partial_refund, upgrade_refund, order_paid, order_canceled,
//     afs_reject, afs_black_list, create_subscription, update_subscription,
//     cancel_subscription, non_renewal_subscription,
//     user_balance_operation, payment_account_add, payment_account_remove,
//     get_pincode, redeem_key, partner_side_catalog, dispute;
//   - playvision: get_item, order_status_change.
//
// The ids, secrets, item and amount default to the demo shop's: its
// emulated accounts and its first product (starter-pack: 4.99 EUR, 7
// votes, 50 PlayGold), which VK and Playvision purchases may name as their
// item. Paysera, Paysera Checkout and Xsolla payments name the shop's
// order (-order), which must exist. For Paysera, whose callbacks are signed with Paysera's
// private RSA key, trigger sends an AES-256-GCM encrypted callback under
// -secret (the project password), which a paysera.Client accepts like a
// signed one; with -paysera-key it signs with ss1, ss2 and ss3 using that
// private key instead (your client must trust its public key). VK Pay
// notifications are RSA-signed too: -vkpay-key names the private key whose
// public half your merchant.Config.PublicKeyPEM holds.
//
// The notifications are built and signed with paykit's test kits
// (payseratest, checkouttest, vkpaytest, xsollatest, playvisiontest). Run the same
// notification twice (same -id) to see a duplicate answered from the store.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"
)

// errRefused is run's error when the receiver answered with a refusal.
var errRefused = errors.New("the receiver refused the notification")

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, http.DefaultClient); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "trigger:", err)
		os.Exit(1)
	}
}

// config is trigger's command line.
type config struct {
	provider, typ, target string
	secret                string
	account, merchant     int64
	amount                int64
	currency              string
	order, item, id, user string
	status                string
	test                  bool
	payseraKeyFile        string
	vkpayKeyFile          string
	show                  bool
}

func parseFlags(args []string, errOut io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("trigger", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&c.provider, "provider", "", "paysera, paysera_checkout, vkpay, vkpay-merchant, xsolla or playvision (required)")
	fs.StringVar(&c.typ, "type", "", "notification type (default: the provider's payment notification)")
	fs.StringVar(&c.target, "url", "", "the callback URL to send to (required)")
	fs.StringVar(&c.secret, "secret", "", "Paysera project password, Paysera Checkout client secret, VK secure key, Xsolla webhook secret or Playvision secret (default: the demo shop's)")
	fs.Int64Var(&c.account, "account", 0, "Paysera project id, VK app id, VK Pay merchant id, Xsolla project id or Playvision app id (default: the demo shop's)")
	fs.Int64Var(&c.merchant, "merchant", 0, "Xsolla merchant id (default: the demo shop's)")
	fs.Int64Var(&c.amount, "amount", 0, "amount: minor units for Paysera, Paysera Checkout, VK Pay and Xsolla, votes for VK, PlayGold for Playvision (default: the demo shop's starter-pack)")
	fs.StringVar(&c.currency, "currency", "", "ISO 4217 currency of Paysera, Paysera Checkout, VK Pay and Xsolla (default: EUR; RUB for VK Pay)")
	fs.StringVar(&c.order, "order", "", "your order id: Paysera orderid, Paysera Checkout merchant_order_id, Xsolla payment/refund external_id (order_paid does not carry it)")
	fs.StringVar(&c.item, "item", "", "item key: VK item and item_id, Playvision item and item_id, Xsolla sku (default: starter-pack)")
	fs.StringVar(&c.id, "id", "", "the provider's transaction, order or subscription id (Paysera Checkout: the order's, payment's, refund's or link's); Xsolla order_* use it as order.id and invoice_id (= transaction id) (default: from the clock)")
	fs.StringVar(&c.user, "user", "1", "the buyer's user id")
	fs.StringVar(&c.status, "status", "", "Paysera status 0-5 (default 1); Paysera Checkout order, payment or refund status; VK chargeable, refunded, active or cancelled; VK Pay paid, new, wait, process, held, rejected, expired, hold_failed or hold_canceled")
	fs.BoolVar(&c.test, "test", false, "send the test variant")
	fs.StringVar(&c.payseraKeyFile, "paysera-key", "", "PEM file of an RSA private key: sign Paysera callbacks (ss1, ss2, ss3) instead of encrypting them")
	fs.StringVar(&c.vkpayKeyFile, "vkpay-key", "", "PEM file of the RSA private key that signs VK Pay notifications (required for vkpay-merchant)")
	fs.BoolVar(&c.show, "show", false, "print the request before sending it")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.target == "":
		return c, errors.New("-url is required")
	case c.provider == "":
		return c, errors.New("-provider is required")
	}
	if c.id == "" {
		c.id = fmt.Sprint(time.Now().Unix())
	}
	return c, nil
}

// run parses args, sends the notification and prints the answer. The
// error is errRefused when the receiver refused it.
func run(ctx context.Context, args []string, out io.Writer, client *http.Client) error {
	c, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	n, err := buildRequest(ctx, c)
	if err != nil {
		return err
	}
	if c.show {
		show(out, n.req)
	}
	resp, err := client.Do(n.req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "HTTP %s\n%s\n", resp.Status, strings.TrimRight(string(body), "\n"))
	if !n.accepts(resp.StatusCode, body) {
		return errRefused
	}
	return nil
}

// show prints the request before it is sent.
func show(out io.Writer, req *http.Request) {
	fmt.Fprintf(out, "%s %s\n", req.Method, req.URL)
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		if k == "Content-Type" || k == "Authorization" || strings.HasPrefix(k, "X-Paysera-") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(out, "%s: %s\n", k, req.Header.Get(k))
	}
	if req.GetBody != nil {
		if b, err := req.GetBody(); err == nil {
			body, _ := io.ReadAll(b)
			fmt.Fprintf(out, "\n%s\n\n", body)
		}
	}
}
