package emulators

// The demo accounts the shop, the sandbox and trigger use by default. They
// are not secrets: they only ever sign traffic between the emulators and
// the demo programs.
const (
	DemoPayseraProject  = 123456
	DemoPayseraPassword = "paysera-demo-password"
	// The Paysera Checkout (New) demo project's OAuth2 client; the secret
	// also signs its webhooks.
	DemoPayseraCheckoutClientID     = "paysera-checkout-demo-client"
	DemoPayseraCheckoutClientSecret = "paysera-checkout-demo-secret"
	DemoVKApp                       = 51000001
	DemoVKSecret                    = "vk-demo-secure-key"
	DemoVKAccessToken               = "vk-demo-service-token"
	DemoXsollaMerchant              = 2340
	DemoXsollaProject               = 18404
	DemoXsollaAPIKey                = "xsolla-demo-api-key"
	DemoXsollaSecret                = "xsolla-demo-webhook-secret"
	DemoPlayvisionApp               = 7001
	DemoPlayvisionSecret            = "playvision-demo-secret"
	// DemoVKPayMerchant is the VK Pay merchant id trigger signs for.
	DemoVKPayMerchant = 617001
)

// The demo shop's first product, the one trigger pays for by default: its
// SKU, which VK and Playvision purchases may name as the item, and its
// price through each provider.
const (
	DemoItem      = "starter-pack"
	DemoItemTitle = "Starter pack"
	DemoPrice     = 499 // EUR cents, through Paysera and Xsolla
	DemoCurrency  = "EUR"
	DemoVotes     = 7  // through VK
	DemoPlayGold  = 50 // through Playvision
)
