package emulators

// The demo accounts the shop, the sandbox and trigger use by default. They
// are not secrets: they only ever sign traffic between the emulators and
// the demo programs.
const (
	DemoPayseraProject   = 123456
	DemoPayseraPassword  = "paysera-demo-password"
	DemoVKApp            = 51000001
	DemoVKSecret         = "vk-demo-secure-key"
	DemoXsollaMerchant   = 2340
	DemoXsollaProject    = 18404
	DemoXsollaAPIKey     = "xsolla-demo-api-key"
	DemoXsollaSecret     = "xsolla-demo-webhook-secret"
	DemoPlayvisionApp    = 7001
	DemoPlayvisionSecret = "playvision-demo-secret"
)
