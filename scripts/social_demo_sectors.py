"""Vocabulary for the demo social posts of every sector of the bundled company data.

Used by scripts/build_social_demo.py. For each sector slug (scraper_services/common/demo_data/
sectors/<slug>.json): the words customers use for the thing (`terms`, the first one most
often), who posts (`people`), what hurts (`pains`), what they ask for (`wishes`) and what they
pay (`prices`). All of it is written by the MarketNavigator project; incumbent names come from
the sector file's own company list.
"""

from __future__ import annotations

SECTORS: dict[str, dict[str, str]] = {
    "adtech": dict(
        terms="ad campaigns | app install ads | retail media | programmatic ads | ad network",
        people="game studios | small app developers | media buyers | indie publishers",
        pains="half the installs look like bots | the dashboard numbers never match our own "
        "analytics | minimum spend is way above our budget | payouts to publishers take 60 days",
        wishes="fraud filtering we can actually see | a per-install price with no minimum | "
        "one report across every network | honest attribution",
        prices="$0.80 per install | $5,000 minimum monthly spend | a 30% take rate",
    ),
    "agritech": dict(
        terms="farm software | crop monitoring | soil sensors | vertical farming | farm app",
        people="small farmers | vegetable growers | farm managers | agronomists",
        pains="the app needs signal we don't have in the field | sensor data arrives a day late "
        "| nobody explains what the satellite map means for my crop | every tool wants a "
        "different login",
        wishes="an offline mode for the field | a plain answer on when to irrigate | photo "
        "diagnosis of a sick plant | prices for my harvest in the same app",
        prices="$15 per hectare a year | $49/month per farm | $300 per sensor",
    ),
    "ai-drug-discovery": dict(
        terms="drug discovery | AI models for molecules | target discovery | lab automation",
        people="biotech founders | medicinal chemists | pharma partners | lab scientists",
        pains="the model's top hits fail in the wet lab | milestone deals pay almost nothing "
        "upfront | the platform is a black box to our chemists | data cleaning eats months",
        wishes="predictions with honest uncertainty | a shared lab notebook with the model | "
        "pay-per-program pricing | results our chemists can audit",
        prices="$2M upfront per program | $500k a year for the platform | 3% royalties",
    ),
    "carbon-climate": dict(
        terms="carbon accounting | carbon credits | emissions reporting | carbon removal",
        people="sustainability managers | small manufacturers | european buyers | CFOs",
        pains="every supplier sends emissions data in a different spreadsheet | credits turn out "
        "to be junk a year later | the audit took three months | the software costs more than "
        "the offsets",
        wishes="automatic supplier data collection | credits with real verification | one "
        "report that satisfies the auditor | scope 3 estimates we can defend",
        prices="$12,000 a year | $150 per tonne removed | $25 per tonne for credits",
    ),
    "cloud-hosting": dict(
        terms="cloud hosting | cloud bill | GPU servers | CDN | rent GPUs",
        people="small SaaS teams | indie developers | ML researchers | agencies",
        pains="the cloud bill doubled and nobody knows why | egress fees for data leaving the "
        "region | GPU quotas take weeks to approve | support is a forum post",
        wishes="a hard spending cap | hourly GPUs without a waitlist | a bill I can read | "
        "data kept in our own country",
        prices="$2.50 per GPU hour | $0.09 per GB egress | $20/month for a small server",
    ),
    "collaboration-productivity": dict(
        terms="project management tool | team chat | shared docs | client briefs | task tracker",
        people="creative agencies | remote teams | freelancers | small startups",
        pains="the real decisions are buried in chat | every client wants a different tool | "
        "notifications all day long | we pay for seats nobody uses",
        wishes="client portals that clients actually open | one inbox for tasks and chat | "
        "per-project pricing | a search that finds the old brief",
        prices="$8 per user per month | $12/month per seat | $99/month for the team plan",
    ),
    "construction-tech": dict(
        terms="construction software | site diary | daily reports | punch lists | site app",
        people="site foremen | general contractors | subcontractors | project engineers",
        pains="foremen hate typing reports at the end of a long day | drawings on site are "
        "always the old version | the office re-enters everything | the app needs training "
        "nobody has time for",
        wishes="voice notes that become a proper daily report | offline drawings | photos "
        "pinned to the plan | one price for the whole site team",
        prices="$375 per month per project | $40 per user a month | $10,000 a year",
    ),
    "creator-economy": dict(
        terms="fan memberships | podcast | creator payouts | streaming royalties | music app",
        people="podcasters | indie musicians | small creators | video streamers",
        pains="the platform takes a huge cut | payouts are tiny and late | the algorithm buries "
        "anything in a local language | fans can't pay in their own currency",
        wishes="memberships fans pay for in local money | payouts every week | analytics on who "
        "my real fans are | a fair share for local-language songs",
        prices="$5/month per fan | a 30% platform cut | $0.003 per stream",
    ),
    "crypto-infrastructure": dict(
        terms="crypto wallet | crypto exchange | stablecoin payments | digital dollars",
        people="first-time crypto buyers | remote developers | freelancers paid abroad | traders",
        pains="withdrawals get frozen without a reason | the fees are hidden in the spread | "
        "one wrong address and the money is gone | support is a bot",
        wishes="a wallet my parents could use | cash-out to a local bank in minutes | plain "
        "fees shown before I confirm | recovery without a seed phrase",
        prices="1.5% per trade | $3 per withdrawal | 0.5% spread",
    ),
    "customer-support-cpaas": dict(
        terms="customer support tool | help desk | WhatsApp support | support tickets | SMS API",
        people="small online stores | support agents | e-commerce founders | call centres",
        pains="the same question comes in on five channels | the bot answers with the wrong "
        "order | per-seat pricing punishes seasonal staff | SMS delivery fails in some countries",
        wishes="order details next to every ticket | WhatsApp and email in one inbox | answers "
        "suggested from our own help pages | pay per resolved ticket",
        prices="$55 per agent per month | $0.99 per resolution | $0.05 per SMS",
    ),
    "cybersecurity": dict(
        terms="security tools | phishing | password manager | security monitoring | MFA",
        people="small companies | IT admins | accountants | school IT staff",
        pains="alerts all night and 99% are noise | the enterprise tools assume a security team "
        "| a phishing email got through again | the audit asks for reports we can't produce",
        wishes="one flat fee that covers everything | someone watching alerts at night | "
        "phishing training that isn't boring | a report the auditor accepts",
        prices="a flat fee of $6 per device a month | $30,000 a year | $3 per user/month",
    ),
    "data-observability": dict(
        terms="monitoring bill | observability | dashboards | log management | alerting",
        people="platform engineers | SREs | small dev teams | data engineers",
        pains="the monitoring bill became bigger than the servers | a dozen tools and no single "
        "view | alerts fire for nothing and miss the real outage | logs get dropped at peak",
        wishes="a price that doesn't grow with every log line | one dashboard for logs and "
        "metrics | alerts with the likely cause | open-source agents",
        prices="$15 per host a month | $0.10 per GB of logs | $2,000/month",
    ),
    "dating-social": dict(
        terms="dating app | matchmaking | companionship app | dating profiles | swiping",
        people="single professionals | never-married people in their 30s | divorced parents | "
        "older singles",
        pains="fake profiles everywhere | endless swiping with no real conversations | the "
        "best features sit behind a paywall | it feels like a game, not a search for a partner",
        wishes="verified profiles | introductions through friends or family | fewer but "
        "better matches | a way to meet in groups first",
        prices="$30/month for premium | $15 a week | $200 for a matchmaker intro",
    ),
    "developer-tools": dict(
        terms="developer tools | CI pipeline | app builder | no-code | deploy previews",
        people="small app studios | shop owners who never coded | solo developers | agencies",
        pains="CI minutes run out mid-month | the no-code tool hits a wall at the first custom "
        "feature | builds take twenty minutes | studios waste days on setup",
        wishes="builds that finish in two minutes | an app builder that exports real code | "
        "preview links for every branch | pricing per project, not per seat",
        prices="$19 per user a month | $0.008 per build minute | $49/month for the pro plan",
    ),
    "ecommerce-enablement": dict(
        terms="online store | web shop | store builder | repeat orders | checkout",
        people="small sellers | mid-sized makers | instagram sellers | home bakers",
        pains="the apps I need each add a monthly fee | customers want to pay cash on delivery "
        "| the theme breaks on phones | shipping rates are a guessing game",
        wishes="cash on delivery that just works | repeat orders in one tap | shipping labels "
        "built in | a store set up from my Instagram",
        prices="$29/month plus 2% per sale | $39/month | $5 per app a month",
    ),
    "edtech-k12-language": dict(
        terms="language app | online tutoring | private tutors | homework help | exam prep",
        people="parents of teens | secondary school students | adult learners | job seekers",
        pains="the streaks don't teach real conversation | good private tutors cost a fortune | "
        "lessons are never at the right level | kids quit after two weeks",
        wishes="practice for a real job interview | tutors matched to the syllabus | progress "
        "reports parents can read | small group lessons",
        prices="$12.99/month | $25 per hour with a tutor | $80 a month for group classes",
    ),
    "energy-storage": dict(
        terms="home battery | solar panels | electricity bills | solar and battery | power cuts",
        people="homeowners | families with high bills | small businesses | farmers",
        pains="the upfront price is huge | installers disappear after the sale | the app never "
        "shows what I actually saved | power cuts still knock out the fridge",
        wishes="a fixed monthly plan instead of a big upfront price | a clear savings report | "
        "backup that covers the whole house | one company for panels and battery",
        prices="$9,000 upfront | $79/month on a fixed monthly plan | $0.30 per kWh",
    ),
    "ev-autonomy": dict(
        terms="electric car | EV charging | charging station | home charger | self-driving",
        people="apartment dwellers | taxi drivers | fleet managers | first-time EV owners",
        pains="half the chargers are broken | our housing society won't allow a home charger | "
        "every network needs another app | the range drops in winter",
        wishes="one app for every charger | shared chargers for apartment buildings | live "
        "charger status that is true | a fair price per kWh",
        prices="$0.45 per kWh | $1,200 for a home charger | $25/month charging plan",
    ),
    "event-ticketing": dict(
        terms="concert tickets | ticket fees | event tickets | small venues | ticket resale",
        people="small venues | festival goers | event organisers | music fans",
        pains="the fees add 30% at checkout | bots buy everything in seconds | resale prices "
        "are insane | small venues pay big ticket platform fees",
        wishes="the full price shown upfront | fair resale at face value | a ticketing tool "
        "built for small venues | payouts before the event",
        prices="$18 in fees on a $60 ticket | 8% per ticket | $1 per ticket flat",
    ),
    "fashion-beauty-commerce": dict(
        terms="online fashion | skincare | clothing returns | designer pieces | modest fashion",
        people="wealthy shoppers | muslim women | plus-size shoppers | skincare fans",
        pains="sizes are different on every brand | returns cost more than the item | fake "
        "reviews everywhere | modest styles are hard to find",
        wishes="honest reviews from people my size | free returns | modest collections that "
        "are actually stylish | authenticity checks for designer pieces",
        prices="$45 per dress | $8 return fee | $120 for a serum",
    ),
    "fitness": dict(
        terms="fitness app | smart ring | fitness tracker | home workouts | gym membership",
        people="busy parents | runners | beginners | people in small apartments",
        pains="the tracker reads sleep completely wrong | another subscription on top of the "
        "device | the home machine is too big for my flat | motivation dies after a month",
        wishes="a slim ring without a subscription | a fold-away home machine | workouts "
        "that adapt to my week | data I can export",
        prices="$299 for the ring | $5.99/month | $40 per month for the app",
    ),
    "food-delivery": dict(
        terms="food delivery | delivery fees | lunch delivery | grocery delivery | order lunch",
        people="office workers | students | restaurant owners | couriers",
        pains="the delivery fees are more than the food | the order arrives cold | the app "
        "takes 30% from restaurants | ten-minute delivery is never ten minutes",
        wishes="a monthly pass with no surprise fees | lunch ordering for the whole office | "
        "delivery straight from the restaurant | honest delivery times",
        prices="$7 in delivery fees | $9.99/month pass | a 30% commission",
    ),
    "freight-logistics": dict(
        terms="freight tracking | shipment visibility | freight forwarders | truck loads",
        people="small forwarders | truck owners | shippers | dispatchers",
        pains="we still chase drivers by phone for an ETA | the visibility platform only works "
        "for big carriers | empty return trips kill the margin | invoices take 60 days",
        wishes="live ETAs without calling anyone | loads matched to my truck's route | "
        "payment within a week | one tracking link for the customer",
        prices="$400 per month per dispatcher | $2 per tracked shipment | 5% per load",
    ),
    "gaming": dict(
        terms="mobile games | in-game purchases | game store | cloud gaming | game passes",
        people="mobile gamers | parents of gamers | indie game studios | streamers",
        pains="pay-to-win everywhere | the store takes 30% | my kid spent $200 on skins | "
        "no way to pay for tiny purchases with mobile money",
        wishes="tiny purchases paid with mobile money | parental spending limits | fair "
        "revenue share for indie studios | games that work offline",
        prices="$0.99 per item | $9.99/month game pass | a 30% store cut",
    ),
    "generative-ai": dict(
        terms="AI assistant | chat assistants | AI writing | product photos | chatbot",
        people="online sellers | marketing teams | gulf banks | developers",
        pains="the assistant makes things up | it doesn't speak our dialect well | API costs "
        "jump with every release | our data can't leave the country",
        wishes="answers that cite their source | lifestyle shots of my product without a "
        "photographer | a model hosted in our region | predictable pricing",
        prices="$20/month per user | $0.50 per photo | $3 per million tokens",
    ),
    "govtech-civic": dict(
        terms="government forms | council services | digital ID | public services app",
        people="residents | city clerks | small business owners | immigrants",
        pains="the website only works in one browser | you still have to print and sign | "
        "every office asks for the same documents | the queue is weeks long",
        wishes="one login for every public service | forms in my language | status updates "
        "by text | appointments online",
        prices="$40 per application | $2 per form processing | $150,000 a year per city",
    ),
    "grocery-mealkits": dict(
        terms="meal kit | grocery delivery | weekly boxes | food waste | online grocery",
        people="busy families | students | working parents | people living alone",
        pains="half the vegetables go bad before I use them | substitutions are random | the "
        "delivery slot is always full | so much plastic packaging",
        wishes="pre-measured ingredients for exactly what I cook | surplus food at a discount | "
        "a delivery slot I can trust | less packaging",
        prices="$11.99 per serving | $4 delivery fee | $25 for a rescue box",
    ),
    "health-it": dict(
        terms="clinic software | EHR | patient scheduling | consultation notes | practice app",
        people="skin clinics | small practices | doctors | clinic receptionists",
        pains="doctors spend evenings typing consultation notes | the booking system "
        "double-books | the EHR looks like it's from 2005 | every module costs extra",
        wishes="consultation notes written from a phone app recording | online booking that "
        "syncs | one price for the whole clinic | Arabic and English in the same system",
        prices="$300 per doctor a month | $2,000 setup fee | $99/month for scheduling",
    ),
    "higher-ed-upskilling": dict(
        terms="online courses | bootcamp | certificate | data analyst course | upskilling",
        people="retail workers | people in admin jobs | career changers | new graduates",
        pains="I can't afford courses that cost a month's pay | certificates nobody hires for | "
        "videos with no feedback | completion rates are terrible",
        wishes="pay once I have a job | a mentor who reviews my work | courses in short evening "
        "blocks | a path to a real data analyst job",
        prices="$49/month | $12,000 for a bootcamp | $15 per course on sale",
    ),
    "home-services": dict(
        terms="handyman | home repairs | cleaners | fixed price | small job",
        people="homeowners | renters | landlords | tradespeople",
        pains="nobody wants a small job | quotes vary by 3x | the pro didn't show up | the "
        "platform charges the pro for every lead",
        wishes="a fixed price before anyone comes | small jobs bundled into one visit | "
        "verified reviews | pros paid fairly",
        prices="$85 per hour | $25 per lead | $120 fixed price for a small job",
    ),
    "hr-payroll-recruiting": dict(
        terms="payroll | hiring engineers | annual reviews | HR software | local payroll",
        people="small startups | HR managers | remote teams | founders",
        pains="annual reviews nobody reads | local payroll rules change every year | hiring "
        "engineers abroad is a legal maze | every module is an upsell",
        wishes="quick monthly check-ins instead of annual reviews | payroll in every country "
        "we hire | contracts generated for us | flat pricing",
        prices="$8 per employee per month | $599 per contractor a month | $40 per person",
    ),
    "insurtech": dict(
        terms="travel insurance | insurance claims | insurance app | home insurance",
        people="travellers | renters | small business owners | young drivers",
        pains="the claim took four months | the policy wording is impossible | booking sites "
        "push insurance nobody understands | travellers lose money on cancelled trips",
        wishes="a claim paid from a photo | cover I can switch on per trip | plain-language "
        "policies | a price that rewards careful drivers",
        prices="$12 per trip | $25/month | $500 excess",
    ),
    "last-mile-delivery": dict(
        terms="delivery drivers | parcel delivery | courier app | route planning | last mile",
        people="flower shops | small bakeries | local shops | couriers",
        pains="our three drivers plan routes on paper | customers call asking where the order "
        "is | failed deliveries cost us twice | courier apps are built for big fleets",
        wishes="route planning for a tiny fleet | a tracking link for the customer | proof of "
        "delivery photos | pricing per delivery",
        prices="$0.50 per delivery | $29/month per driver | $8 per parcel",
    ),
    "legal-tech": dict(
        terms="legal software | contract review | immigration forms | law firm software",
        people="solo lawyers | immigration lawyers | small businesses | paralegals",
        pains="government forms eat whole weekends | supplier contracts sit unread | billing "
        "hours is a nightmare | every tool is priced for big law firms",
        wishes="an assistant that checks supplier contracts | government forms filled from "
        "the client file | billing that tracks itself | a price for solo firms",
        prices="$89 per user a month | $300 per contract review | $49/month",
    ),
    "lending-bnpl": dict(
        terms="buy now pay later | credit card | small loans | instalments | business loans",
        people="young shoppers | small brands | gig workers | shop owners",
        pains="late fees appear out of nowhere | the bank wants three years of sales history | "
        "the credit card interest is brutal | approval takes weeks",
        wishes="loans based on my real sales | clear fees before I agree | instalments without "
        "a credit check trap | money in a day",
        prices="$7 late fee | 24% APR | a 6% merchant fee",
    ),
    "mental-health": dict(
        terms="mental health | therapy app | therapists | meditation app | anxiety",
        people="students | new parents | solo therapists | remote workers",
        pains="the waitlist for a therapist is three months | the app is just breathing "
        "exercises | fighting insurance for every session | therapists change all the time",
        wishes="a quick check-in between sessions | a therapist who speaks my language | "
        "insurance billing handled for me | the same therapist every time",
        prices="$90 per session | $70/month for the meditation app | $260 a month",
    ),
    "micromobility-carsharing": dict(
        terms="e-scooters | bike sharing | car sharing | e-bikes | scooter rental",
        people="commuters | grocery couriers | students | apartment buildings",
        pains="the scooter is never where the map says | unlock fees add up | parking rules "
        "change every month | the shared car was filthy",
        wishes="a monthly pass | cheap bikes for couriers | shared cars for apartment "
        "buildings | a fair unlock price",
        prices="$1 unlock plus $0.39 per minute | $30/month pass | $12 per hour for the car",
    ),
    "neobanks": dict(
        terms="bank account | digital bank | banking app | salary advance | traditional bank",
        people="freelancers | expats | small business owners | gig workers",
        pains="the traditional bank made me wait weeks | the account got frozen without "
        "explanation | the app hides fees | opening an account takes a branch visit",
        wishes="an account opened in ten minutes | small advances on my salary | a human in "
        "support | multi-currency without fees",
        prices="$9/month premium | 2% on currency exchange | $0 monthly fee",
    ),
    "payments": dict(
        terms="card fees | payment links | checkout | payouts | pay by bank",
        people="small web shops | market traders | freelancers | online sellers",
        pains="card fees eat our margin | payouts take five days | chargebacks arrive months "
        "later | the account got closed with no warning",
        wishes="pay by bank with same-day money | a flat fee per transaction | payouts the same "
        "day | no chargebacks",
        prices="2.9% + $0.30 per transaction | a flat fee of $0.20 | $49/month",
    ),
    "pet-care": dict(
        terms="pet owners | dog walker | pet insurance | vet visits | pet sitter",
        people="pet owners | dog owners | cat people | vets",
        pains="the vet bill was $900 | the dog walker cancelled again | pet insurance refused "
        "the claim | food delivery is always late",
        wishes="a vet chat at night | pet insurance that pays in days | GPS on every walk | "
        "a food subscription I can pause",
        prices="$45/month for pet insurance | $25 per walk | $60 per vet chat",
    ),
    "proptech": dict(
        terms="rent monthly | flat hunting | property management | verified flat | listings",
        people="renters | landlords | first-time buyers | students",
        pains="fake listings everywhere | agents want three months deposit | the landlord "
        "never fixes anything | viewing slots fill in minutes",
        wishes="verified flat listings | deposits held safely | repair requests tracked | "
        "rent paid monthly online",
        prices="$1,200 per month rent | one month's rent as agent fee | $8 per unit a month",
    ),
    "resale-marketplaces": dict(
        terms="second-hand clothes | resale | old phones | second-hand smartphones | prepaid bag",
        people="parents online | students | collectors | resellers",
        pains="listing each item takes ages | buyers haggle forever | fakes slip through | "
        "shipping kills the profit on cheap items",
        wishes="a prepaid bag I fill and send off | authenticity checks | instant offers for "
        "old phones | fair seller fees",
        prices="a 20% seller fee | $5 shipping | $150 for an old phone",
    ),
    "restaurant-tech": dict(
        terms="restaurant POS | table booking | online ordering | small restaurants",
        people="small restaurants | cafe owners | waiters | restaurant managers",
        pains="the POS crashes on a Friday night | booking no-shows cost us | ordering apps take "
        "30% | the card reader needs internet that drops",
        wishes="table booking with deposits | cloud cash register that works offline | our own "
        "online ordering | one system for tables and orders",
        prices="$69/month per terminal | $1 per booked guest | a 30% commission",
    ),
    "ride-hailing": dict(
        terms="ride-hailing | taxi app | ride prices | airport rides | trip live",
        people="commuters | women riding alone at night | executives | drivers",
        pains="surge pricing at the worst time | the driver cancels after ten minutes | I "
        "can't share my trip live with family | drivers get a tiny share",
        wishes="sharing my trip live with family | women drivers for women riders | fixed "
        "prices to the airport | an assistant that orders rides for the executives",
        prices="$38 to the airport | a 25% commission | $2 booking fee",
    ),
    "robotics-automation": dict(
        terms="robot arm | warehouse robots | factory automation | cobots | monthly fee",
        people="packaging plants | mid-size food factories | warehouse managers | integrators",
        pains="integration takes a year | the robot needs an engineer on site | the upfront "
        "price is impossible | changing the product means reprogramming",
        wishes="robots rented for a monthly fee | a lightweight two-armed robot | setup in "
        "a week | teaching by demonstration",
        prices="$1,500 monthly fee | $120,000 upfront | $50 per hour of robot time",
    ),
    "sales-marketing": dict(
        terms="CRM | sales pipeline | email marketing | WhatsApp leads | lead follow-up",
        people="real-estate agents | direct-to-consumer brands | small sales teams | founders",
        pains="leads go cold because nobody follows up | the CRM is a data entry job | buyer "
        "enquiries get lost in WhatsApp | every feature is an upgrade",
        wishes="a CRM that can read WhatsApp | automatic follow-up | one view of every buyer "
        "enquiry | price per team, not per seat",
        prices="$25 per user a month | $90/month | $500 per month for automation",
    ),
    "space-satellites": dict(
        terms="satellite images | earth observation | satellite internet | crop insurers",
        people="crop insurers | farm cooperatives | researchers | remote communities",
        pains="imagery arrives a week after the flood | the data needs a PhD to read | clouds "
        "block the images | paying claims means sending someone out",
        wishes="field-level alerts after storms | a map a claims adjuster can use | radar "
        "that sees through clouds | a per-field price",
        prices="$2 per hectare a season | $100/month for satellite internet | $5,000 per image",
    ),
    "spend-accounting": dict(
        terms="expense reports | supplier bills | invoicing | company cards | bookkeeping",
        people="restaurant groups | small finance teams | founders | accountants",
        pains="we still keep receipts in a shoebox | supplier bills get paid twice | expense "
        "reports take the whole month-end | the accountant re-types everything",
        wishes="venue cards with limits per location | bills read from a photo | sync with "
        "our accounting software | approvals on the phone",
        prices="$8 per card a month | $99/month | $0 for the basic plan",
    ),
    "telehealth": dict(
        terms="online doctor | video call with a doctor | online clinic | prescriptions",
        people="busy parents | rural patients | people without insurance | students",
        pains="the video call dropped twice | the doctor had five minutes | pills arriving "
        "took a week | the online clinic couldn't prescribe what I needed",
        wishes="medicine sent the same day | a doctor who knows my history | a fixed monthly "
        "price | a video call at night",
        prices="$79 per visit | $30/month membership | $15 per prescription",
    ),
    "travel-booking": dict(
        terms="hotel booking | day trips | flight prices | holiday rentals | travel app",
        people="families | business travellers | backpackers | travel managers",
        pains="hidden cleaning fees on rentals | the price changes at checkout | booking staff "
        "travel needs proper invoices | cancellations refund in vouchers only",
        wishes="the total price upfront | proper invoices for company trips | day trips with "
        "local guides | free cancellation that is really free",
        prices="$180 per night | $65 cleaning fee | $45 per day trip",
    ),
    "used-car-marketplaces": dict(
        terms="used car | second-hand car | car dealer | car inspection | car listings",
        people="first-time buyers | families | car dealers | students",
        pains="the second-hand car had hidden damage | the dealer price jumped at signing | "
        "listings are full of fakes | financing is a trap",
        wishes="an independent inspection report | fixed prices online | a return window | "
        "financing explained in plain words",
        prices="$12,000 for a used hatchback | $150 for an inspection | $500 dealer fee",
    ),
    "wealth-investing": dict(
        terms="investing app | index funds | retirement savings | stock trading | kids savings",
        people="young investors | parents | first-time investors | freelancers",
        pains="the app pushes trading like a casino | I can't tell what the fees are | "
        "account fees eat small balances | opening an account for my kid is paperwork hell",
        wishes="accounts a parent approves for kids | plain fees | automatic monthly "
        "investing | advice without a $1,000 minimum",
        prices="$3/month | 0.25% a year | $1 per trade",
    ),
}
