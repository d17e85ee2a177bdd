// Command trigger sends one correctly signed notification of any paykit
// provider to a URL and prints the answer, like a payment provider CLI's
// "trigger" command. Point it at your callback handler to see how it
// answers a payment, a refund, a duplicate or an item request, without the
// provider.
//
//	go run ./examples/trigger -provider playvision -url http://127.0.0.1:8080/callback/playvision -item order-1001 -amount 50
//	go run ./examples/trigger -provider vkpay -type get_item -url … -item order-1002
//	go run ./examples/trigger -provider xsolla -type refund -order 1003 -amount 499 -currency EUR -url …
//	go run ./examples/trigger -provider paysera -status 2 -order 1004 -amount 499 -url …
//
// Types: paysera macro (with -status 0…5) and micro (SMS); vkpay get_item,
// order_status_change (-status chargeable or refunded), get_subscription,
// subscription_status_change (-status chargeable, active or cancelled);
// xsolla user_validation, payment, refund, order_paid, order_canceled;
// playvision get_item, order_status_change. -test sends the provider's test
// variant (_test types, test=1, dry_run=1, order mode sandbox).
//
// The ids and secrets default to the demo shop's emulated accounts, so
// that the commands above work against `go run ./examples/shop`. For
// Paysera, whose callbacks are signed with Paysera's private RSA key,
// trigger sends an AES-256-GCM encrypted callback under -secret (the
// project password), which a paysera.Client accepts like a signed one; with
// -paysera-key it signs with ss1, ss2 and ss3 using that private key
// instead (your client must trust its public key).
//
// The notifications are built and signed with paykit's test kits
// (payseratest, vkpaytest, xsollatest, playvisiontest). Run the same
// notification twice (same -id) to see a duplicate answered from the store.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, http.DefaultClient); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		log.Fatal(err)
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
	show                  bool
}

func parseFlags(args []string, errOut io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("trigger", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&c.provider, "provider", "", "paysera, vkpay, xsolla or playvision (required)")
	fs.StringVar(&c.typ, "type", "", "notification type (default: the provider's payment notification)")
	fs.StringVar(&c.target, "url", "", "the callback URL to send to (required)")
	fs.StringVar(&c.secret, "secret", "", "Paysera project password, VK secure key, Xsolla webhook secret or Playvision secret (default: the demo shop's)")
	fs.Int64Var(&c.account, "account", 0, "Paysera project id, VK app id, Xsolla project id or Playvision app id (default: the demo shop's)")
	fs.Int64Var(&c.merchant, "merchant", 0, "Xsolla merchant id (default: the demo shop's)")
	fs.Int64Var(&c.amount, "amount", 0, "amount: minor units for Paysera and Xsolla, votes for VK, PlayGold for Playvision")
	fs.StringVar(&c.currency, "currency", "EUR", "ISO 4217 currency (Paysera, Xsolla)")
	fs.StringVar(&c.order, "order", "", "your order id: Paysera orderid, Xsolla payment/refund external_id (order_paid does not carry it)")
	fs.StringVar(&c.item, "item", "", "item key: VK item and item_id, Playvision item and item_id")
	fs.StringVar(&c.id, "id", "", "the provider's transaction, order or subscription id; Xsolla order_* use it as order.id and invoice_id (= transaction id) (default: from the clock)")
	fs.StringVar(&c.user, "user", "1", "the buyer's user id")
	fs.StringVar(&c.status, "status", "", "Paysera status 0-5 (default 1); VK chargeable, refunded, active or cancelled")
	fs.BoolVar(&c.test, "test", false, "send the test variant")
	fs.StringVar(&c.payseraKeyFile, "paysera-key", "", "PEM file of an RSA private key: sign Paysera callbacks (ss1, ss2, ss3) instead of encrypting them")
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

// run parses args, sends the notification and prints the answer.
func run(ctx context.Context, args []string, out io.Writer, client *http.Client) error {
	c, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	req, err := buildRequest(ctx, c)
	if err != nil {
		return err
	}
	if c.show {
		fmt.Fprintf(out, "%s %s\n", req.Method, req.URL)
		for _, k := range []string{"Content-Type", "Authorization"} {
			if v := req.Header.Get(k); v != "" {
				fmt.Fprintf(out, "%s: %s\n", k, v)
			}
		}
		if req.GetBody != nil {
			if b, err := req.GetBody(); err == nil {
				body, _ := io.ReadAll(b)
				fmt.Fprintf(out, "\n%s\n\n", body)
			}
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "HTTP %s\n%s\n", resp.Status, strings.TrimRight(string(body), "\n"))
	return nil
}
