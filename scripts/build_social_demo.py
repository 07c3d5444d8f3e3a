"""Build marketnav/data/social_demo.json: the Social Analysis demo data set.

Every post text below was written by the MarketNavigator project for demos and tests; none is a
real social media post and every author is invented. Brands are generic or fictional. Authors,
dates and engagement are generated deterministically (fixed seed), so running this script again
gives the same file:

    .venv/bin/python scripts/build_social_demo.py
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from social_demo_sectors import SECTORS  # noqa: E402

OUTPUT = ROOT / "marketnav" / "data" / "social_demo.json"
SECTOR_DIR = ROOT / "scraper_services" / "common" / "demo_data" / "sectors"
SECTOR_SEED = 20261202
SEED = 20250301
START = datetime(2024, 3, 1, tzinfo=UTC)
SPAN_DAYS = 600

TOPICS: dict[str, list[str]] = {
    "meal_kits": [
        "Third week with a meal kit subscription and honestly it's the only reason we eat "
        "vegetables on weeknights. Busy families need this. #mealkit",
        "Cancelled my meal kit after the intro discount ended. $11.99 per serving is just too "
        "expensive for a family of four.",
        "Why does every meal kit come with SO much plastic packaging? I want to feel good about "
        "organic ingredients, not drown in bubble wrap.",
        "As a nurse working 12-hour shifts, a meal kit that takes 20 minutes is a lifesaver. "
        "The 'quick' 30-minute recipes are never 30 minutes though.",
        "Would love a meal kit that lets me swap proteins per recipe instead of picking a whole "
        "plan. Please add this, someone. #mealkits",
        "Switched from grocery delivery to a meal kit because I was wasting half the produce I "
        "bought. Our food waste is way down.",
        "Meal kit recipes are great until your kid refuses anything with a sauce. Need a "
        "picky-eater filter!!",
        "Tried a locally sourced meal kit box this month. Ingredients were noticeably fresher "
        "than the big national ones. Worth the extra $2 a serving imo.",
        "Delivery window for my meal kit got moved AGAIN. Box sat on the porch for 6 hours in "
        "the heat. Not ok.",
        "Meal prep Sunday is dead in our house, meal kits replaced it. I just want dinner "
        "decided for me so I can stop thinking after work.",
        "Anyone know a meal kit that does proper vegetarian options for a whole week? The veggie "
        "choices are always the same three pastas.",
        "Started a meal kit because my doctor told me to cut sodium. Wish they showed nutrition "
        "per serving before you order, not after.",
        "Our household: two working parents, three kids, zero time. Meal kit + slow cooker = "
        "survival. #busyfamilies",
        "The recipe cards are the best part of my meal kit. I've actually learned to cook "
        "properly. Keeping every single card.",
        "Paused my meal kit for the summer and they charged me anyway. Customer support took 9 "
        "days to reply. Frustrating.",
        "Honest review: meal kit portions are small. My partner is still hungry after the "
        "'family size' box.",
        "Meal kit idea for whoever's building one: let me plug in what's already in my fridge "
        "and build recipes around it. Less waste, less cost.",
        "Gifted my parents a meal kit subscription for their retirement. They love trying "
        "cuisines they'd never cook otherwise.",
        "My team does a Friday lunch meal kit cook-off over video call. Weirdly great team "
        "building.",
        "Organic meal kit at $9 a serving vs takeout at $18... the math works for us, even if "
        "the prep takes longer.",
        "Did the free trial box, loved it, then saw the regular price. Back to the supermarket. "
        "#mealprep",
    ],
    "pet_care": [
        "Finding a dog walker I actually trust is harder than finding a babysitter. Need "
        "background checks and GPS-tracked walks, period.",
        "Booked a pet sitter through an app for the first time. Got photo updates every few "
        "hours. Anxiety gone. Would recommend.",
        "Paying $25 for a 20-minute dog walk feels steep, but my dog is happier and I don't "
        "feel guilty during long meetings.",
        "Our dog walker canceled last minute for the third time this month. The app just says "
        "'sorry'. Need backup walkers assigned automatically.",
        "As a vet tech I see so many owners skip checkups because of cost. Pet wellness plans "
        "paid monthly would help a lot.",
        "Wish pet sitter apps let you filter for people experienced with senior dogs on "
        "medication. My 14-year-old needs pills twice a day.",
        "Switched to a local pet sitting co-op instead of the big app. Lower fees, same "
        "sitters, and the sitters keep more of the money.",
        "New puppy owner here. Trying to find a trainer, walker and vet that all talk to each "
        "other is a nightmare. #dogowners",
        "Pet insurance claim took 6 weeks to pay out. The whole point was not stressing about "
        "money when the dog is sick.",
        "GPS walk map from our dog walker showed 8 minutes of a 30-minute booking. Reported it. "
        "The refund took forever.",
        "We use a pet camera plus a midday dog walker. Going back to the office was only "
        "possible because of that combo.",
        "Honestly the best part of the dog walking app is the report card: pee, poop, water, "
        "mood. Silly but I love it.",
        "Cat owners are an afterthought on every pet sitting platform. Drop-in visits for cats "
        "should be cheaper than dog walks.",
        "Looking for a dog daycare with live webcam access. Willing to pay a bit more for that "
        "peace of mind.",
        "Travel season: pet sitter fees doubled. $80 a night for a house sit is wild. #petsitter",
        "Our dog walker is a college student who does it between classes. Great for her, great "
        "for us. Platforms should cater to students more.",
        "Would love one subscription that covers walks, grooming and vet telehealth for a flat "
        "monthly fee.",
        "First time leaving our rescue with a sitter. The meet-and-greet feature on the app "
        "convinced us to try it.",
        "Pet care apps take 20-30% from the walkers. That's why good walkers leave and go private.",
        "Vet video call at 11pm saved us a $300 emergency visit. The dog had just eaten grass. "
        "Worth every cent of the $30 fee.",
    ],
    "budgeting": [
        "Tried five budget apps this year. They all break when my bank connection drops, and "
        "then the categories are a mess for a month.",
        "The only budgeting method that ever worked for me is zero-based budgeting. Wish more "
        "apps supported it properly. #budgeting",
        "Paying $14.99/month for a budget app to tell me I spend too much on subscriptions is "
        "peak irony.",
        "As a freelancer with irregular income, monthly budgets make no sense. I need a budget "
        "app that plans around uneven paychecks.",
        "Switched from spreadsheets to a budget app and finally see where the money goes. "
        "Coffee is not the problem, rent is.",
        "Please add shared budgets for couples with separate accounts. We don't want to merge "
        "everything, just the household stuff.",
        "My budget app warned me I'd overspend on groceries before payday. That alert alone "
        "saved me an overdraft fee.",
        "Students need a budgeting app that understands financial aid landing twice a year. "
        "None do.",
        "The savings goal feature in my budget app is so motivating. Hit my emergency fund "
        "target today! #personalfinance",
        "Every budget app wants to sell me credit cards now. I came here to save money, not to "
        "get more cards.",
        "Categorization is 70% wrong for me. I spend more time fixing transactions than "
        "budgeting. Frustrating.",
        "Would pay for a budget app that doesn't need my bank password at all. Manual entry "
        "with smart suggestions is fine.",
        "Our family uses a budget app to teach the kids: each kid has a small allowance "
        "envelope. They're learning fast.",
        "Finally found a budget app that exports clean CSV files. My accountant is happy, I'm "
        "happy.",
        "Since my old budget app shut down I've been on a spreadsheet again. Migrating 5 years "
        "of data was impossible.",
        "Budget app onboarding asked me 40 questions before showing anything. Deleted after 10 "
        "minutes.",
        "Annual plan is $79 vs $9.99 monthly. Took the annual. If it helps me save $80 a year "
        "it's basically free.",
        "Retired and on a fixed income. I need big buttons, simple charts and no upsells in my "
        "budgeting app.",
        "Best feature of my budget app: it predicts my balance 30 days out. Cash flow "
        "forecasting should be standard.",
        "The debt payoff planner in my budget app showed I'd be debt-free 14 months sooner with "
        "the avalanche method. Motivated.",
    ],
    "freelance_invoicing": [
        "Chasing late invoices is the worst part of freelancing. Automatic payment reminders "
        "changed my life. #freelancer",
        "Invoicing software for freelancers should NOT cost $30 a month when I send 4 invoices. "
        "Usage-based pricing please.",
        "As a freelance designer with EU clients, VAT on invoices is a nightmare. I need an "
        "invoicing tool that handles reverse charge.",
        "Switched from a big accounting suite to a simple invoicing app. I don't need payroll, "
        "I need to get paid.",
        "Would love automatic tax estimates so I know how much to set aside every time a client "
        "pays. Quarterly taxes always surprise me.",
        "Client paid an invoice 94 days late. Late fee automation should be one click in any "
        "invoicing tool.",
        "Time tracking + invoicing in one app is the dream. Copying hours from one tool to "
        "another every Friday is a waste.",
        "Freelancers, what do you use for expense tracking? Receipt photos keep getting lost in "
        "my camera roll.",
        "Tried an invoicing app's free tier: 3 invoices per month. I hit the limit on day 2. "
        "Upgraded to $12/mo, fair enough.",
        "Small agencies are stuck between freelancer tools and enterprise accounting. We are 6 "
        "people and nothing fits.",
        "Best freelancer move I made: sending invoices with a 'pay now' card link. Got paid the "
        "same day for the first time.",
        "My accountant asked for a profit and loss report and my invoicing app just... doesn't "
        "have one. Exported to a spreadsheet again.",
        "Invoicing in multiple currencies with live exchange rates. Please. I work with clients "
        "in 5 countries.",
        "Started freelancing in January. A client said my professional-looking invoice "
        "template was part of why they hired me again.",
        "The payment processor took 3.5% plus fees on a $4,000 invoice. Bank transfer options "
        "should be pushed harder.",
        "As a freelance developer I invoice per milestone. The tools all assume hourly. "
        "Frustrating.",
        "Recurring invoices for retainer clients are the single feature that saves me hours "
        "every month. Love it.",
        "Mobile invoicing app crashed while I was sending a quote on site. The client watched me "
        "retype everything. Embarrassing.",
        "Freelance writers: how do you handle clients who want net-60 terms? I need cash flow, "
        "not promises.",
        "Would switch invoicing apps in a heartbeat for proper bank reconciliation. Matching "
        "payments by hand is painful.",
    ],
    "project_management": [
        "Our remote team tried three project management tools this year. Adoption always dies "
        "after the first month. Too many fields.",
        "As an engineering manager I want one view of who's blocked without a standup meeting. "
        "Async standups FTW. #remotework",
        "Project management software pricing per seat kills us. 40 people x $12 a month for a "
        "glorified to-do list?",
        "Please add a timeline view that doesn't need a PhD to configure. Our project managers "
        "just want a Gantt chart.",
        "Switched our agency from spreadsheets to a project management tool and client status "
        "updates now take 5 minutes, not an afternoon.",
        "Notification overload is real. My project management tool pings me 200 times a day. "
        "I muted everything, which defeats the purpose.",
        "Remote team across 7 time zones. What we need most: handoff notes that show up when "
        "your colleague's day starts.",
        "The free plan let us onboard the whole team before paying. That's how we ended up "
        "buying the project management tool. Smart.",
        "Integrations with our code repo and chat are the only reason we stay with our project "
        "tool. Migration would be painful.",
        "Tried to export our projects to move tools. The export is a JSON blob nobody can read. "
        "Vendor lock-in by design.",
        "Project managers at small nonprofits need cheap tools. $5 per user would be the max "
        "for us.",
        "Weekly planning meeting went from 60 to 20 minutes since we started using a shared "
        "project board. Game changer.",
        "Our operations team uses the project management tool for new-hire onboarding "
        "checklists. Unexpected but perfect use case.",
        "Guest access for clients is always either too limited or too powerful. Agencies need a "
        "proper client portal in project tools.",
        "AI summaries of project status would be nice if they were accurate. The one we tried "
        "invented a deadline.",
        "Our design team hates the project tool because attachments are buried. Visual boards "
        "with image previews please.",
        "Remote onboarding tip: give new hires a project board with their first 30 days mapped "
        "out. Works wonders. #remoteteam",
        "We outgrew our simple kanban app at 25 people. Now looking for dependencies and "
        "workload views without enterprise pricing.",
        "The mobile app for our project management tool is unusable. Can't even reassign a task "
        "properly.",
        "Time tracking built into project tasks means our billing is finally accurate. The "
        "finance team is thrilled.",
    ],
    "crm_sales": [
        "Our sales team spends more time updating the CRM than selling. There has to be a "
        "better way. #sales",
        "As a founder doing sales myself, I need a CRM that's basically a smart inbox. Not 80 "
        "fields per deal.",
        "CRM pricing jumped 40% at renewal. We have 12 reps. Looking at alternatives now.",
        "Wish my CRM logged calls and emails automatically. Half our pipeline data is missing "
        "because reps forget.",
        "Switched from a heavyweight CRM to a lightweight one. Adoption went from 30% to "
        "basically everyone in two weeks.",
        "Sales managers: how do you get reps to actually update deal stages? Our forecast is "
        "fiction.",
        "CRM data is only as good as the enrichment. Bought a lead list and 30% of the emails "
        "bounced.",
        "The free CRM tier got us started. Now the feature we need (sequences) is $50 per user. "
        "Classic.",
        "The pipeline view with drag and drop is the only CRM screen our reps open. Everything "
        "else is noise.",
        "Small business owner here: I just want reminders to follow up with customers. A CRM "
        "feels like overkill but sticky notes failed.",
        "Please integrate the CRM with our invoicing tool so won deals create invoices. "
        "Retyping customer data is error-prone.",
        "Our real estate agents need a mobile-first CRM. They're never at a desk.",
        "After we added lead scoring to the CRM, reps stopped chasing dead leads. Close rate up "
        "noticeably this quarter.",
        "The CRM migration took 4 months and we lost our custom fields. Never again.",
        "Recruiters use CRMs too! Our agency tracks candidates like deals. Works surprisingly "
        "well.",
        "Love that our CRM shows the whole email history with a customer before a call. Saves "
        "awkward moments.",
        "CRM reporting is so rigid. I want to ask 'which channel brings customers who stay "
        "longest' and get an answer.",
        "Trying a new CRM with AI meeting notes. Signed up because a sales rep from another "
        "company mentioned it on a call, ha.",
        "Customer success teams are second-class citizens in most CRMs. Renewals and health "
        "scores deserve proper views.",
        "Paying $99 per seat for a CRM we use 10% of. Enterprise software tax. #saas",
    ],
    "fitness_apps": [
        "Home workout app streak: 100 days! Never thought I'd stick with anything this long. "
        "#fitness",
        "My fitness app subscription went up to $19.99 a month. That's gym membership "
        "territory. Cancelled.",
        "As a mom of two, 20-minute home workouts are all I can do. Fitness apps that assume an "
        "hour a day aren't for me.",
        "Wish my fitness app synced with my smartwatch properly. Heart rate data drops out "
        "mid-workout.",
        "Switched from a gym to a fitness app with live classes. Saved $50 a month and I "
        "actually go.",
        "Beginners are ignored by fitness apps. Everything is 'advanced HIIT'. I need a plan "
        "for someone who gets winded climbing stairs.",
        "My physiotherapist recommended a mobility app after my knee surgery. The guided "
        "routines are great for recovery.",
        "Tracking calories in a fitness app is so tedious. Photo-based logging that actually "
        "works would be worth paying for.",
        "Why do fitness apps lock basic stuff like custom workouts behind premium? The free "
        "tier is a demo.",
        "A running app's training plan got me from couch to my first 10K. Cried at the finish "
        "line. #running",
        "Please add proper strength progression tracking to fitness apps. I want to see my "
        "squat go up over months, not just 'workout done'.",
        "Fitness for seniors is a huge gap. My dad needs balance exercises with big clear "
        "videos, not neon influencers.",
        "Fitness app challenges with coworkers made our office weirdly competitive about steps. "
        "Fun team thing.",
        "An annual fitness plan at $89 is fine if I use it. The problem is I stop in February "
        "every year.",
        "My workout app kept crashing in offline mode in the gym basement. Lost the whole session.",
        "Personalized plans that adapt when I skip days would be the killer feature of any "
        "fitness app. Life happens.",
        "Tried the fitness app free trial mostly for the yoga classes. Converted because the "
        "instructors are genuinely good.",
        "Fitness trackers shame you for rest days. Recovery is part of training!",
        "Our running club uses a shared app to plan group runs. Simple and it works.",
        "Postpartum fitness programs designed by actual physios. That's what I searched for "
        "and what got me to subscribe.",
    ],
    "language_learning": [
        "500-day streak in my language app and I still can't order coffee in Spanish without "
        "panicking. #languagelearning",
        "Wish language apps had real conversation practice with pronunciation feedback. "
        "Tapping words is not speaking.",
        "Paying $13 a month for a language app vs $25 an hour for a tutor. Doing both now: app "
        "for vocab, tutor for speaking.",
        "As an expat in Germany I need practical language for bureaucracy, not 'the elephant "
        "drinks water'.",
        "Switched to a language app with stories instead of drills. Actually enjoying learning "
        "Japanese now.",
        "Language apps for kids are mostly games with ads. Parents would pay for ad-free and "
        "curriculum-aligned.",
        "The streak anxiety is real. Did a language lesson at 11:58pm in a hotel lobby to save it.",
        "The AI conversation partner in my language app is surprisingly good for practicing "
        "small talk before my trip.",
        "Business English courses are boring. Our company would pay for role-play meeting "
        "scenarios for the team.",
        "Please add offline mode for language lessons. I learn on the subway with no signal.",
        "Started learning Portuguese because my partner's family doesn't speak English. Best "
        "motivation there is.",
        "Grammar explanations in most language apps are nonexistent. I want to know WHY, not "
        "guess until the app is happy.",
        "The free version of my language app has 5 hearts and then you wait 4 hours. That's a "
        "paywall, not learning.",
        "Language exchange meetups + app practice = finally conversational after 8 months.",
        "Teachers: language apps are great homework tools if you can see student progress. "
        "Most don't offer a teacher dashboard.",
        "Nurses working with immigrant patients need medical Spanish. Niche but a very real "
        "need for language apps.",
        "Tried a language app that uses TV shows for listening practice. Signed up for the "
        "annual plan immediately.",
        "Refugee families in our town use free language apps but need local context. "
        "Volunteers fill the gap.",
        "Speech recognition in my language app marks me wrong constantly because of my accent. "
        "Demotivating.",
        "Learning Korean for travel next spring. 15 minutes a day in a language app on the "
        "commute is all I need.",
    ],
    "ev_charging": [
        "Road trip in my EV: three of the five chargers on the route were broken. Charging "
        "network reliability is THE problem. #EV",
        "Need one app that works at every EV charging network. I have six apps and four RFID "
        "cards in my glovebox.",
        "Public fast charging at $0.69/kWh costs more than gas on some routes. Home charging is "
        "the only way EVs make sense.",
        "As an apartment renter I can't install a home charger. Landlords need easy shared EV "
        "charging solutions.",
        "Switched to an EV last year and saved about $120 a month on fuel since I charge at work.",
        "Wish EV charging apps showed real-time availability that's actually accurate. "
        "'Available', then someone's there for an hour.",
        "Fleet manager here: we're moving 40 vans to electric. Depot charging scheduling "
        "software is a mess.",
        "Idle fees are fair. People parking at fast chargers after 100% is the worst. #evcharging",
        "Charging at the grocery store while shopping is the best EV use case. 30 minutes, "
        "half a battery, done.",
        "Plug and charge, where you just plug in and it bills automatically, is how EV charging "
        "should always work.",
        "Hotels with EV chargers get my booking every time. It's a real decision factor on "
        "trips now.",
        "Small business owners: installing EV chargers for customers brought us new visitors. "
        "Paid back faster than expected.",
        "Charger was 'out of order' but the charging app still billed me a session fee. Support "
        "never answered.",
        "Please add EV route planning that accounts for weather and elevation. Winter range "
        "drop is brutal.",
        "Condo board wants $3,000 per EV charger installation. Need a shared billing model so "
        "neighbors split costs.",
        "Bought my first EV because my workplace added free charging. That was the trigger.",
        "Home charger installation quote was $2,400. Rebates exist but the paperwork is confusing.",
        "EV charging etiquette needs to be taught. Unplugged by a stranger twice this month.",
        "Ride-hail drivers going electric need cheaper overnight charging. Public rates eat the "
        "savings.",
        "Love the EV charging app that lets you reserve a slot. Zero anxiety on long trips.",
    ],
    "mental_health": [
        "Meditation app streak 60 days. Sleeping better than I have in years. #mentalhealth",
        "Therapy apps charging $90 per week are not accessible. Insurance coverage for online "
        "therapy please.",
        "As a teacher I'm burnt out. Our school offered a free mental health app subscription. "
        "Actually using it.",
        "Wish therapy apps let you switch therapists without explaining everything again. "
        "Exhausting.",
        "Switched from a meditation app to a CBT journaling app. The structured exercises "
        "helped my anxiety more.",
        "Mood tracking is only useful if it shows patterns. My mental health app is just a "
        "calendar of emojis.",
        "Employers, stop buying wellness apps and calling it mental health support. Fix workloads.",
        "Finally booked a video therapy session after months of hesitation. The app's matching "
        "quiz made it feel less scary.",
        "Teens need mental health apps that aren't designed by adults guessing. Ask them.",
        "Crisis resources should be one tap away in every mental health app. Too many bury them.",
        "Sleep stories are the only reason I pay $69 a year for my meditation app. Out in 10 "
        "minutes.",
        "Data privacy in mental health apps scares me. Who sees my journal entries?",
        "Our startup pays for therapy sessions through an app. Usage is low because people "
        "worry HR can see it.",
        "Please add guided breathing for panic attacks that works offline and without an account.",
        "A mental health app for new dads? Everything targets moms. Postpartum depression "
        "affects fathers too.",
        "Trying a group therapy app. Cheaper at $35 a session and surprisingly supportive.",
        "Chatbot therapy is not therapy. It's fine for journaling prompts though.",
        "Nurses on night shifts need short sessions, 5 minutes max. Long guided meditations "
        "don't fit our reality.",
        "I use a meditation app every morning before work. 10 minutes, calmer day.",
        "Free tier with three meditations, then a paywall on everything. Understandable, but "
        "frustrating when you're struggling.",
    ],
    "ecommerce_sellers": [
        "Running a small online store: shipping rates went up again. The margin on a $25 item "
        "is almost nothing now. #ecommerce",
        "Inventory sync between my online store and marketplace listings breaks weekly. "
        "Oversold twice this month.",
        "As a solo seller, customer service emails eat 2 hours a day. Need templates and AI "
        "drafts that don't sound robotic.",
        "Switched online store platforms because the old one charged 2% transaction fees on "
        "top of payment processing.",
        "Wish my store platform had built-in product bundles without a $15/month plugin.",
        "Abandoned cart emails recovered 12% of carts in my online store this month. Easiest "
        "money I've made.",
        "Handmade jewelry seller here. Product photography is my biggest struggle. Need cheap "
        "tools for white backgrounds.",
        "Returns are killing small fashion sellers. Free-returns expectations set by big "
        "players are unrealistic for us.",
        "Started selling online during lockdown, now my online store is my full-time job. The "
        "store builder made it possible without code.",
        "Please add proper multi-warehouse support for small brands. We ship from two locations.",
        "Marketplace fees at 15% plus ads. Building my own online store to own the customer "
        "relationship.",
        "Print-on-demand integration made launching merch trivial. First order shipped without "
        "me touching a thing.",
        "My online store app charges per order over a limit. Black Friday: great sales, "
        "terrible fees.",
        "Adding photo reviews to our product pages increased conversion noticeably.",
        "Shipping label printing is still so clunky. Why do I need three tools for one parcel?",
        "B2B wholesale orders on the same online store as retail is a nightmare. Need separate "
        "pricing tiers.",
        "Tried a subscription box for my coffee shop's beans. Recurring revenue is calmer than "
        "daily sales.",
        "Store went down during a product drop. Lost probably $3,000 in sales. Hosting matters.",
        "Small sellers need better analytics: which products bring repeat customers? Most "
        "dashboards are vanity metrics.",
        "Adding a local delivery option to my bakery's online store doubled orders in our "
        "neighborhood.",
    ],
    "telehealth": [
        "Telehealth appointment took 10 minutes and I got my prescription renewed. Used to take "
        "half a day off work. #telehealth",
        "Online doctor visits at $79 without insurance. Cheaper than urgent care but still a lot.",
        "As a rural resident, telehealth is the only way I can see a specialist without driving "
        "3 hours.",
        "Wish telehealth apps shared records with my regular doctor automatically. I keep "
        "repeating my history.",
        "Video kept freezing during my telehealth visit. The doctor switched to a phone call. "
        "Fine, but why the app?",
        "Parents: pediatric telehealth at 2am when your kid has a fever is worth every cent.",
        "Switched to a telehealth clinic for my ADHD follow-ups. Consistent doctor, less "
        "waiting room anxiety.",
        "Seniors need telehealth where family members can join the call. My mom can't manage "
        "it alone.",
        "Insurance covered telehealth during the pandemic, now it's unclear. Confusing billing.",
        "Please add lab test ordering with home sample collection. The telehealth visit is "
        "online but the bloodwork isn't.",
        "Our small company added a telehealth benefit. Sick days dropped because people get "
        "seen the same day.",
        "Telehealth for dermatology is great: upload photos, get an answer in 24 hours.",
        "Booked online therapy and online primary care in the same telehealth app. One login "
        "for everything is convenient.",
        "Nurse practitioners doing telehealth shifts from home: flexible work, but the software "
        "is clunky.",
        "Prescriptions sent to the wrong pharmacy twice through the telehealth app. Frustrating.",
        "Finally tried telehealth after my employer made it free. Not going back to waiting "
        "rooms for minor stuff.",
        "Translation in telehealth visits would help so many immigrant families.",
        "Subscription telehealth at $15 a month for unlimited visits is an incredible deal for "
        "my family of five.",
        "Doctors on telehealth can't examine you properly. It's good for follow-ups, not new "
        "problems.",
        "Chronic condition patients need telehealth plus remote monitoring. Blood pressure cuff "
        "data straight to the doctor.",
    ],
    "hr_payroll": [
        "Running payroll for 8 employees shouldn't take me a full day every month. Small "
        "business owners deserve better tools. #smallbusiness",
        "Payroll software charges $6 per employee plus a $40 base fee. For a 5-person cafe "
        "that's a lot.",
        "As an HR manager at a 60-person company, onboarding paperwork is 80% of my week. "
        "Digital onboarding saved us.",
        "Switched payroll providers because the old one filed our taxes late. The penalty was "
        "on us, not them.",
        "Wish HR software handled contractors and employees in one place. Half our team is "
        "freelance.",
        "Hiring in three countries. Payroll compliance is a nightmare and employer-of-record "
        "fees are brutal.",
        "Time-off requests through the HR app instead of email = no more lost requests. The "
        "team loves it.",
        "Restaurant owners need payroll that handles tips properly. Most tools treat it as an "
        "afterthought.",
        "Please add an employee self-service portal for payslips. I get the same email 20 times "
        "a month.",
        "Our first hire triggered the search for payroll software. We picked the one with the "
        "simplest setup.",
        "HR software demo took 90 minutes and they still wouldn't tell us the price. Next.",
        "Performance reviews in our HR tool are so rigid. Startups need lightweight check-ins, "
        "not annual forms.",
        "Payroll integrated with accounting means month-end close is 2 days faster. Finance "
        "team approved.",
        "Small nonprofits can't afford enterprise HR software. We use spreadsheets and pray.",
        "Benefits administration is the worst part of HR for small teams. Bundled health plans "
        "would help us compete for talent.",
        "Our payroll ran twice by mistake. Money went out twice. Took a week to claw back.",
        "A mobile app for shift workers to see payslips and schedules is essential. Not "
        "everyone has a laptop.",
        "Recruiters on our team want applicant tracking inside the HR system. Two tools = "
        "duplicate data.",
        "Started using automated payroll this year. Taxes filed on time, first time ever. #payroll",
        "Compliance updates in our HR software save us from legal trouble we didn't know existed.",
    ],
    "secondhand_fashion": [
        "Bought 80% of my wardrobe secondhand this year. Saved money and feel better about it. "
        "#thrifting",
        "Resale apps charging 20% commission make selling my clothes barely worth it.",
        "Wish secondhand apps had better size filters with actual measurements. 'Medium' means "
        "nothing across brands.",
        "Switched from fast fashion to resale after watching a documentary on textile waste.",
        "Listing clothes for resale takes forever: photos, measurements, descriptions. Need an "
        "app that does it from one photo.",
        "Students are the biggest thrift shoppers on my campus. Cheap and unique beats new "
        "every time.",
        "Got scammed on a resale app: the 'designer' bag was fake. Authentication should be "
        "standard for anything over $100.",
        "Kids outgrow clothes every 3 months. A secondhand kids clothing subscription would be "
        "perfect for parents.",
        "Please add local pickup to resale apps. Shipping a $10 shirt for $8 makes no sense.",
        "Vintage sellers here: the resale algorithm buries older listings. Need better discovery.",
        "Brands running their own resale programs is great. Got store credit for my old jacket.",
        "Thrifting for work clothes as a new teacher. A whole professional wardrobe for under "
        "$150.",
        "Secondhand wedding dress for $300 instead of $2,000. Best decision of the wedding.",
        "Resale app customer support took 3 weeks to resolve a missing package. Lost the "
        "buyer's trust.",
        "Tried a clothing rental subscription for work outfits. $89 a month, never buying "
        "office clothes again.",
        "The thrill of thrifting is the hunt. Apps make secondhand too easy and too expensive, "
        "honestly.",
        "Repair services should sit next to resale. I'd keep more clothes if fixing them was easy.",
        "Finally sold my first items on a resale app after a friend showed me how. Made $120 in "
        "a week.",
        "Sustainable fashion is priced for the rich. Secondhand is the only sustainable option "
        "most of us can afford.",
        "Would love a resale app that tracks the carbon saved by buying used. Nerdy but "
        "motivating. #secondhand",
    ],
}

# Sector posts: one of each template per sector (pain points, feature requests, prices, praise,
# complaints about named incumbents, neutral chatter, roles, triggers, jobs and use cases).
# Slots: {term}/{term2} the customers' words, {people}, {pain}, {wish}, {price}, {inc}/{inc2}
# incumbents from the sector file. Even-numbered templates use the sector's first term.
SECTOR_TEMPLATES: tuple[str, ...] = (
    "Honestly the worst part of {term} is that {pain}. Is it just me?",
    "Spent my whole evening on {term} again because {pain}. So frustrating.",
    "Asked five {people} about {term} and every one of them said {pain}.",
    "{Pain}. Every single time. Why does {term} still feel this painful?",
    "Would love a {term} option with {wish}. I'd switch tomorrow.",
    "Feature request for anyone building for {term}: {wish}. Please add this.",
    "If only {inc} had {wish}. That's the killer feature nobody ships for {term}.",
    "What I actually need from {term}: {wish}, and an export that works.",
    "Paying {price} for {term} and it's worth it for us, mostly because {inc} got too expensive.",
    "I'd pay {price} for {term} with {wish}. Right now I pay more and get less.",
    "{Price} for {term}? That's too expensive for {people}. Cheaper plans please.",
    "Free trial for {term} ended and the regular price is {price}. Cancelled, not worth it "
    "without {wish}.",
    "Finally tried a newer {term} service and it already has {wish}. Signed up the same day.",
    "Shout-out to the small {term} startup we switched to: support answered in ten minutes. "
    "Love it.",
    "Three months in with a new {term} setup after leaving {inc}: we save hours every week. "
    "Not going back.",
    "Switched away from {inc} after {pain}. {Inc2} wasn't much better for {term} either.",
    "{Inc} raised prices again. {People} like us are looking for an alternative for {term}.",
    "Is anyone else stuck with {inc} for {term}? {Pain} and support never answered my ticket.",
    "Compared {inc} vs {inc2} for {term} this week. Both feel built for big companies, not "
    "{people}.",
    "Curious how other {people} handle {term}. Spreadsheet? App? Just vibes?",
    "Reading up on {term} for a project at work. Lots of options, hard to compare.",
    "Hot take: most {people} don't need a fancy {term} product, they need {wish}.",
    "Quick poll for {people}: what do you use for {term} right now? {Inc}, {inc2}, or "
    "something else?",
    "In our team the person who picks the {term} tool never uses it. The people who do use it "
    "say {pain}.",
    "Our manager chose {inc} for {term}; everyone who uses it daily complains that {pain}.",
    "Started using a proper {term} app after my spreadsheet lost a week of work. Should have "
    "done it sooner.",
    "Decided to try a different {term} option because a friend recommended it. Signed up for "
    "the free trial.",
    "All I want from {term} is to stop thinking about it so I can focus on the actual work.",
    "Trying to find a {term} option that helps me keep track of everything in one place. "
    "Looking for suggestions, {people} welcome.",
    "Used a {term} service for the first time in our busiest week. {Pain}, but it got the "
    "job done.",
    "Our use case for {term}: {people}, a tight budget, and we really need {wish}.",
    "{Term} pricing in one line: {price}, plus the extras nobody mentions upfront.",
    "Moved from {inc} to a smaller {term} provider: {price} and {wish}. So far so good.",
    "Love that {term} finally gets attention. Hate that {pain}.",
)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _options(spec: dict[str, str], key: str) -> list[str]:
    return [part.strip() for part in spec[key].split("|") if part.strip()]


def sector_posts(rng: random.Random) -> list[dict[str, object]]:
    """Posts for every sector of the bundled company data (one per template each)."""
    posts: list[dict[str, object]] = []
    for path in sorted(SECTOR_DIR.glob("*.json")):
        sector = json.loads(path.read_text())
        slug = sector["slug"]
        spec = SECTORS[slug]
        terms, people = _options(spec, "terms"), _options(spec, "people")
        pains, wishes, prices = (_options(spec, k) for k in ("pains", "wishes", "prices"))
        incumbents = [c["name"] for c in sector["companies"][:8]]
        for index, template in enumerate(SECTOR_TEMPLATES, start=1):
            term = terms[0] if index % 2 == 0 else rng.choice(terms[1:])
            inc, inc2 = rng.sample(incumbents, 2)
            values = {
                "term": term,
                "people": rng.choice(people),
                "pain": rng.choice(pains),
                "wish": rng.choice(wishes),
                "price": rng.choice(prices),
                "inc": inc,
                "inc2": inc2,
            }
            values.update({_cap(k): _cap(v) for k, v in list(values.items())})
            posts.append(
                {
                    "id": f"demo-sector-{slug}-{index:03d}",
                    "topic": slug,
                    "text": template.format(**values),
                }
            )
    return posts


_FIRST = """
Alex Sam Jordan Taylor Morgan Casey Riley Jamie Avery Quinn Priya Mateo Lena Omar Chloe Noah
Aisha Lucas Mei Diego Hannah Tomas Zoe Ravi Ingrid Kofi Elena Marcus Yuki Fatima Leo Nadia Ben
Sofia Arjun Clara Felix Amara Jonas Rosa
"""
_LAST = """
Rivera Chen Okafor Schmidt Novak Patel Larsen Moreau Silva Kim Haddad Brennan Costa Ito Fischer
Mensah Duarte Walsh Petrov Lindqvist Nakamura Osei Romero Becker Sato Yilmaz Kowalski Dubois
Andersen Reyes
"""
FIRST_NAMES = _FIRST.split()
LAST_NAMES = _LAST.split()


def _author(rng: random.Random) -> dict[str, object]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    style = rng.randrange(4)
    if style == 0:
        username = f"{first}{last}".lower()
    elif style == 1:
        username = f"{first.lower()}_{last.lower()[:3]}{rng.randrange(10, 99)}"
    elif style == 2:
        username = f"{first[0]}{last}".lower() + str(rng.randrange(1, 9))
    else:
        username = f"the{first.lower()}{rng.randrange(100, 999)}"
    followers = int(min(rng.lognormvariate(5.5, 1.6), 250_000))
    return {"username": username, "name": f"{first} {last}", "followers": followers}


def _written_posts() -> list[dict[str, object]]:
    return [
        {"id": f"demo-{topic.replace('_', '-')}-{index:03d}", "topic": topic, "text": text}
        for topic, texts in TOPICS.items()
        for index, text in enumerate(texts, start=1)
    ]


def build() -> dict[str, object]:
    rng = random.Random(SEED)
    posts = []
    drafts = _written_posts() + sector_posts(random.Random(SECTOR_SEED))
    for draft in drafts:
        post_id, topic, text = draft["id"], draft["topic"], draft["text"]
        likes = int(min(rng.lognormvariate(3.0, 1.3), 9000))
        created = START + timedelta(days=rng.randrange(SPAN_DAYS), seconds=rng.randrange(86_400))
        posts.append(
            {
                "id": post_id,
                "topic": topic,
                "text": text,
                "author": _author(rng),
                "created_at": created.isoformat().replace("+00:00", "Z"),
                "likes": likes,
                "retweets": int(likes * rng.uniform(0.03, 0.3)),
                "replies": int(likes * rng.uniform(0.02, 0.2)) + rng.randrange(3),
                "url": f"https://demo.marketnavigator.invalid/posts/{post_id}",
            }
        )
    return {
        "about": (
            "MarketNavigator demo social data set. Every post was written by the "
            "MarketNavigator project for demos and tests: none is a real social media post, "
            "every author is invented, and authors, dates and engagement are generated by "
            "scripts/build_social_demo.py with a fixed seed. Results from it are labelled "
            "'Demo data set'."
        ),
        "version": 2,
        "topics": sorted(TOPICS),
        "sectors": sorted(p.stem for p in SECTOR_DIR.glob("*.json")),
        "posts": posts,
    }


def main() -> None:
    data = build()
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(data['posts'])} posts to {OUTPUT}")


if __name__ == "__main__":
    main()
