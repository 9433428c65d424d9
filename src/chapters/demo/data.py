"""The demo community, as plain data (the shapes are in ``chapters.demo.records``).

Tenant ``demo`` is a user community in China with three years of history: a user committee
with a past term, five city chapters (two of them under a regional chapter), a lead handover
in Hangzhou in June 2024, members leaving Chengdu in the third quarter of 2026 before it went
dormant, and an activity ledger from December 2025 to January 2027 (organisations it works
with, a mentoring program with its projects, activities of every kind in every state of
review). Tenant ``acme`` has one chapter, Berlin, and no ledger. Dates are fixed, so the
README's questions keep their answers; the README also lists the accounts.
"""

from __future__ import annotations

from typing import Final

from chapters.demo.records import (
    ActivitySpec,
    Change,
    ChapterSpec,
    CommitteeSpec,
    Contact,
    DemoAccount,
    EmailInvitation,
    Fix,
    Guest,
    Ledger,
    OrganisationSpec,
    Profile,
    ProgramSpec,
    ProjectSpec,
    Recap,
    Rel,
    Republish,
    Reschedule,
    Seat,
    StatusChange,
    TenantContent,
    TenantSpec,
    Who,
)
from chapters.models import (
    ChapterRole,
    ChapterStatus,
    CommitteeKind,
    MembershipStatus,
    OrganisationKind,
    ProjectStatus,
    SeatRole,
    TenantRole,
)

DEMO_TENANTS = {
    "demo": TenantSpec("Demo Cloud Native Community", "Asia/Shanghai", "zh-CN"),
    "acme": TenantSpec("Acme Open Source Community", "Europe/Berlin", "en"),
}

DEMO_ACCOUNTS = [
    DemoAccount("demo", "admin@demo.example", "Ada Admin", TenantRole.ADMIN, "tenant admin"),
    DemoAccount("demo", "ops@demo.example", "Oscar Ops", TenantRole.OPS, "central ops"),
    DemoAccount(
        "demo", "lead.shanghai@demo.example", "Li Wei", None, "lead of the Shanghai chapter"
    ),
    DemoAccount("demo", "member@demo.example", "Mei Chen", None, "chapter member"),
    DemoAccount("acme", "admin@acme.example", "Alex Acme", TenantRole.ADMIN, "acme's admin"),
]

# The account whose staff rights write each tenant's content: admin@<domain>.
ADMIN_KEY = "admin"

LEAD, CO_LEAD, MEMBER = ChapterRole.LEAD, ChapterRole.CO_LEAD, ChapterRole.MEMBER
LEFT: Final = MembershipStatus.LEFT

# fmt: off
DEMO_PEOPLE = [
    Profile("admin",          "Ada Admin",      "ada-admin",    "Shanghai",  "Demo Foundation",      "non-code",      "staff"),
    Profile("ops",            "Oscar Ops",      "oscar-ops",    "Beijing",   "Demo Foundation",      "non-code",      "staff events"),
    Profile("lead.shanghai",  "Li Wei",         "liwei-sh",     "Shanghai",  "Huangpu Cloud",        "user code",     "kubernetes speaker organizer"),
    Profile("member",         "Mei Chen",       "meichen",      "Shanghai",  "Bund Analytics",       "user",          "observability newcomer"),
    Profile("zhang.min",      "Zhang Min",      "zhangmin-oss", "Shanghai",  "Huangpu Cloud",        "code non-code", "maintainer organizer user-committee"),
    Profile("sophie.laurent", "Sophie Laurent", "slaurent",     "Shanghai",  "Lumiere Retail Asia",  "user",          "gitops speaker"),
    Profile("zhao.yang",      "Zhao Yang",      "zhaoyang",     "Shanghai",  "Bund Analytics",       "user code",     "ebpf"),
    Profile("kenji.sato",     "Kenji Sato",     "ksato",        "Tokyo",     "Sakura Mobility",      "code",          "service-mesh"),
    Profile("sun.li",         "Sun Li",         "sunli-dev",    "Shanghai",  None,                   "user",          "student newcomer"),
    Profile("chen.jie",       "Chen Jie",       "chenjie",      "Hangzhou",  "Westlake Software",    "code non-code", "maintainer organizer user-committee"),
    Profile("xu.ming",        "Xu Ming",        "xuming-hz",    "Hangzhou",  "Qiantang Data",        "user code",     "serverless organizer"),
    Profile("lin.xiao",       "Lin Xiao",       "linxiao",      "Hangzhou",  "Westlake Software",    "non-code",      "docs translator"),
    Profile("anna.kowalska",  "Anna Kowalska",  "akowalska",    "Hangzhou",  "Amber Payments",       "user",          "security"),
    Profile("wu.hao",         "Wu Hao",         "wuhao",        "Hangzhou",  "Qiantang Data",        "user",          "storage"),
    Profile("daniel.kim",     "Daniel Kim",     "dkim",         "Seoul",     "Hanriver Games",       "user code",     "wasm"),
    Profile("liu.yang",       "Liu Yang",       "liuyang-cd",   "Chengdu",   "Tianfu Systems",       "user code",     "kubernetes organizer user-committee"),
    Profile("tang.yu",        "Tang Yu",        "tangyu",       "Chengdu",   "Panda Labs",           "non-code",      "design organizer"),
    Profile("he.jun",         "He Jun",         "hejun",        "Shenzhen",  "Tianfu Systems",       "user",          "observability"),
    Profile("maria.gonzalez", "María González", "mgonzalez",    "Madrid",    None,                   "user",          "ai-infra"),
    Profile("deng.chao",      "Deng Chao",      "dengchao",     "Chongqing", "Panda Labs",           "code",          "ebpf"),
    Profile("ravi.patel",     "Ravi Patel",     "rpatel",       "Bengaluru", "Saffron Cloud",        "user",          "gitops"),
    Profile("yang.xue",       "Yang Xue",       "yangxue",      "Chengdu",   "Tianfu Systems",       "user",          "newcomer"),
    Profile("peng.fei",       "Peng Fei",       "pengfei",      "Chengdu",   None,                   "user",          "student"),
    Profile("huang.jing",     "Huang Jing",     "huangjing",    "Guangzhou", "Pearl River Networks", "non-code",      "organizer regional-coordinator"),
    Profile("guo.qiang",      "Guo Qiang",      "guoqiang",     "Guangzhou", "Pearl River Networks", "user code",     "service-mesh organizer user-committee"),
    Profile("emily.wong",     "Emily Wong",     "ewong",        "Guangzhou", "Canton Fintech",       "user non-code", "speaker user-committee"),
    Profile("luo.dan",        "Luo Dan",        "luodan",       "Guangzhou", "Canton Fintech",       "user",          "security"),
    Profile("thomas.muller",  "Thomas Müller",  "tmueller",     "Guangzhou", "Rhein Automotive",     "user",          "edge"),
    Profile("feng.rui",       "Feng Rui",       "fengrui",      "Foshan",    None,                   "user",          "newcomer"),
    Profile("ma.lin",         "Ma Lin",         "malin-sz",     "Shenzhen",  "Nanshan Robotics",     "code",          "maintainer organizer edge"),
    Profile("zheng.hui",      "Zheng Hui",      "zhenghui",     "Shenzhen",  "Shekou Devices",       "user non-code", "organizer venue-host"),
    Profile("ahmed.hassan",   "Ahmed Hassan",   "ahassan",      "Shenzhen",  "Nile Logistics",       "user",          "kubernetes"),
    Profile("xie.na",         "Xie Na",         "xiena",        "Shenzhen",  "Nanshan Robotics",     "code",          "ai-infra"),
    Profile("olivia.brown",   "Olivia Brown",   "obrown",       "Shenzhen",  "Harbour Hardware",     "user",          "docs"),
    Profile("cai.wen",        "Cai Wen",        "caiwen",       "Hong Kong", "Shekou Devices",       "user",          "serverless"),
]

DEMO_CHAPTERS = [
    ChapterSpec("shanghai",    "Shanghai",    "Shanghai",  "East China",      "2023-02-18", None,          "Monthly meetups and hands-on workshops in Shanghai."),
    ChapterSpec("hangzhou",    "Hangzhou",    "Hangzhou",  "East China",      "2023-04-15", None,          "Meetups by the West Lake; strong in serverless and docs."),
    ChapterSpec("chengdu",     "Chengdu",     "Chengdu",   "Southwest China", "2023-06-10", None,          "The community's home in Sichuan."),
    ChapterSpec("south-china", "South China", None,        "South China",     "2023-08-01", None,          "Coordinates the chapters of the Pearl River Delta."),
    ChapterSpec("shenzhen",    "Shenzhen",    "Shenzhen",  "South China",     "2023-08-19", "south-china", "Hardware, edge and robotics meet cloud native."),
    ChapterSpec("guangzhou",   "Guangzhou",   "Guangzhou", "South China",     "2023-09-09", "south-china", "Meetups in Tianhe, often with the Shenzhen chapter."),
]

DEMO_HISTORY = [
    Change("2023-02-18", "shanghai",    "lead.shanghai",  LEAD,    "founding lead"),
    Change("2023-02-18", "shanghai",    "zhang.min",      CO_LEAD, "founding co-lead"),
    Change("2023-03-25", "shanghai",    "member",         MEMBER),
    Change("2023-05-20", "shanghai",    "sophie.laurent", MEMBER),
    Change("2023-09-16", "shanghai",    "kenji.sato",     MEMBER),
    Change("2024-02-24", "shanghai",    "zhao.yang",      MEMBER),
    Change("2024-11-30", "shanghai",    "kenji.sato",     LEFT,    "moved back to Tokyo"),
    Change("2025-03-15", "shanghai",    "sun.li",         MEMBER),

    Change("2023-04-15", "hangzhou",    "chen.jie",       LEAD,    "founding lead"),
    Change("2023-05-13", "hangzhou",    "xu.ming",        MEMBER),
    Change("2023-06-10", "hangzhou",    "lin.xiao",       MEMBER),
    Change("2023-10-21", "hangzhou",    "anna.kowalska",  MEMBER),
    Change("2023-11-04", "hangzhou",    "xu.ming",        CO_LEAD, "runs the meetup programme"),
    Change("2024-03-09", "hangzhou",    "daniel.kim",     MEMBER),
    Change("2024-06-15", "hangzhou",    "xu.ming",        LEAD,    "Chen Jie steps back to co-lead to chair the user committee"),
    Change("2024-08-17", "hangzhou",    "wu.hao",         MEMBER),
    Change("2025-05-24", "hangzhou",    "daniel.kim",     LEFT,    "relocated to Seoul"),
    Change("2026-04-11", "hangzhou",    "daniel.kim",     MEMBER,  "back from Seoul"),

    Change("2023-06-10", "chengdu",     "liu.yang",       LEAD,    "founding lead"),
    Change("2023-06-10", "chengdu",     "tang.yu",        CO_LEAD, "founding co-lead"),
    Change("2023-07-08", "chengdu",     "he.jun",         MEMBER),
    Change("2023-09-02", "chengdu",     "maria.gonzalez", MEMBER),
    Change("2024-01-13", "chengdu",     "deng.chao",      MEMBER),
    Change("2024-04-20", "chengdu",     "ravi.patel",     MEMBER),
    Change("2024-05-18", "chengdu",     "yang.xue",       MEMBER),
    Change("2024-12-14", "chengdu",     "ravi.patel",     LEFT,    "moved to Bengaluru"),
    Change("2025-03-22", "chengdu",     "peng.fei",       MEMBER),
    Change("2026-07-18", "chengdu",     "he.jun",         LEFT,    "moved to Shenzhen"),
    Change("2026-08-22", "chengdu",     "maria.gonzalez", LEFT,    "returned to Madrid"),
    Change("2026-09-12", "chengdu",     "deng.chao",      LEFT,    "moved to Chongqing"),

    Change("2023-08-01", "south-china", "huang.jing",     LEAD,    "regional coordinator"),

    Change("2023-08-19", "shenzhen",    "ma.lin",         LEAD,    "founding lead"),
    Change("2023-08-19", "shenzhen",    "zheng.hui",      CO_LEAD, "founding co-lead"),
    Change("2023-12-02", "shenzhen",    "ahmed.hassan",   MEMBER),
    Change("2024-02-03", "shenzhen",    "cai.wen",        MEMBER),
    Change("2024-06-22", "shenzhen",    "xie.na",         MEMBER),
    Change("2025-01-18", "shenzhen",    "olivia.brown",   MEMBER),
    Change("2025-04-12", "shenzhen",    "cai.wen",        LEFT,    "moved to Hong Kong"),
    Change("2026-08-01", "shenzhen",    "he.jun",         MEMBER,  "moved here from Chengdu"),

    Change("2023-09-09", "guangzhou",   "guo.qiang",      LEAD,    "founding lead"),
    Change("2023-09-09", "guangzhou",   "emily.wong",     MEMBER),
    Change("2023-09-09", "guangzhou",   "huang.jing",     MEMBER),
    Change("2023-10-14", "guangzhou",   "luo.dan",        MEMBER),
    Change("2024-04-13", "guangzhou",   "thomas.muller",  MEMBER),
    Change("2024-09-07", "guangzhou",   "emily.wong",     CO_LEAD, "organised the 2024 summer meetups"),
    Change("2024-11-09", "guangzhou",   "feng.rui",       MEMBER),
]

DEMO_STATUS_CHANGES = [
    StatusChange("2026-10-12", "chengdu", ChapterStatus.DORMANT,
                 "No meetup since June 2026: three members moved away over the summer. "
                 "The leads plan a restart in spring 2027."),
]

DEMO_COMMITTEE = CommitteeSpec(
    "Demo User Committee",
    CommitteeKind.USER_COMMITTEE,
    "Elected by the community's users for two-year terms; the city chapters report to it.",
    [
        Seat("chen.jie",   SeatRole.CHAIR,      "2023-01-01", "2024-12-31"),
        Seat("zhang.min",  SeatRole.CHAIR,      "2025-01-01"),
        Seat("guo.qiang",  SeatRole.VICE_CHAIR, "2025-01-01"),
        Seat("emily.wong", SeatRole.SECRETARY,  "2025-01-01"),
        Seat("chen.jie",   SeatRole.MEMBER,     "2025-01-01"),
        Seat("liu.yang",   SeatRole.MEMBER,     "2025-01-01"),
    ],
)

DEMO_ORGANISATIONS = [
    OrganisationSpec(
        "example-cloud", "Example Cloud Inc.", OrganisationKind.COMPANY, "https://www.example-cloud.example",
        [Rel("co_host", "active", "2025-09-01", "Hosts the Shanghai meetups in its Pudong office."),
         Rel("sponsor", "active", "2026-01-01", "2026 sponsorship: venues, catering and recordings.")],
        Contact("Grace Lin", "grace.lin@example-cloud.example", "Developer Relations Lead"),
        "shanghai shenzhen",
        "Cloud provider; the community's main sponsor in 2026.",
    ),
    OrganisationSpec(
        "zju", "Zhejiang Demo University", OrganisationKind.UNIVERSITY, "https://www.zjdu.example",
        [Rel("co_host", "active", "2026-03-01", "Campus visits with the university's Open Source Club.")],
        Contact("Prof. Wang Lei", "wang.lei@zjdu.example", "Advisor, Open Source Club"),
        "hangzhou",
        "Books lecture halls for us; students join the mentoring program.",
    ),
    OrganisationSpec(
        "cn-training", "Cloud Native Training Co.", OrganisationKind.TRAINING, "https://www.cn-training.example",
        [Rel("partner", "active", "2026-06-01", "Hands-on workshops; exam vouchers for members.")],
        Contact("Zhou Ping", "zhou.ping@cn-training.example", "Partnerships"),
        "shanghai",
        "Runs its classroom in Jing'an; trainers speak at our workshops.",
    ),
    OrganisationSpec(
        "open-source-weekly", "Open Source Weekly", OrganisationKind.MEDIA, "https://www.oss-weekly.example",
        [Rel("partner", "active", "2026-02-01", "Announces our events and reposts recaps.")],
        None,
        "",
        "Media partner: newsletter and podcast network.",
    ),
    OrganisationSpec(
        "nanshan-robotics", "Nanshan Robotics", OrganisationKind.COMPANY, "https://www.nanshan-robotics.example",
        [Rel("prospect", "proposed", "2026-10-01", "Interested in sponsoring the 2027 Shenzhen meetups.")],
        Contact("Qin Yue", "qin.yue@nanshan-robotics.example", "Head of Engineering Culture"),
        "shenzhen",
        "Hosted a lab visit in April 2026; sponsorship talks under way.",
    ),
]

DEMO_PROGRAM = ProgramSpec(
    "Open Source Summer 2026", 2026,
    "Students work on open-source projects for a summer, each with a mentor from a chapter.",
    ("2026-04-01", "2026-05-31"),
    ("2026-07-01", "2026-12-15"),
)

DEMO_PROJECTS = [
    ProjectSpec("k8s-glossary",       "A Chinese glossary for the Kubernetes docs",            "hangzhou", "https://github.com/demo-community/k8s-glossary-zh", "lin.xiao",            "peng.fei", ProjectStatus.COMPLETED,
                "Finished in October: 412 terms reviewed and merged; the docs translators now use it."),
    ProjectSpec("ebpf-dashboard",     "eBPF network observability dashboard",                  "shanghai", "https://github.com/demo-community/ebpf-dashboard",   "zhao.yang zhang.min", "sun.li",   ProjectStatus.IN_PROGRESS),
    ProjectSpec("function-templates", "Serverless function templates for the community site",  "hangzhou", "https://github.com/demo-community/fn-templates",     "xu.ming",             "feng.rui", ProjectStatus.ACCEPTED),
    ProjectSpec("helm-lint",          "Helm chart linting in CI",                              "shanghai", "https://github.com/demo-community/helm-lint",        "lead.shanghai",       "yang.xue", ProjectStatus.FAILED,
                "The student withdrew in August for a full-time internship; the branch is kept for next year."),
]

SHANGHAI_VENUE = "Example Cloud Inc., 18F, 1000 Century Avenue, Pudong"
SHEKOU_VENUE = "Shekou Devices auditorium, 1 Wanghai Road, Shekou"
TIANHE_VENUE = "Pearl River Networks, 20F, 100 Tianhe Road"

DEMO_ACTIVITIES = [
    ActivitySpec("sh-2512-meetup", "shanghai", "offline_meetup", "2025-12-13 14:00", 3, "Shanghai Cloud Native Meetup #31: platform engineering", "submit accept recap republish",
                 venue=SHANGHAI_VENUE, expected=80, tags="platform-engineering kubernetes",
                 organisations="example-cloud:co_host example-cloud:venue",
                 people=(Who("organizer", "lead.shanghai"), Who("speaker", "sophie.laurent", "GitOps at retail scale"),
                         Guest("speaker", "Priya Raman", "Example Cloud Inc.", "Building an internal developer platform")),
                 links="registration",
                 recap=Recap(86, "recording slides photos", "86 people on a cold Saturday; both talks were recorded. Next time: a bigger room."),
                 republish=Republish("Two more names were on the paper sign-in sheet.",
                                     Recap(88, "recording slides photos", "88 people on a cold Saturday; both talks were recorded. Next time: a bigger room."))),
    ActivitySpec("cd-2512-meetup", "chengdu", "offline_meetup", "2025-12-20 14:00", 3, "Chengdu Meetup: Kubernetes in production at Tianfu Systems", "submit accept recap",
                 venue="Tianfu Software Park, Building C, 3F", expected=50, tags="kubernetes production",
                 people=(Who("organizer", "liu.yang"), Who("speaker", "liu.yang", "Five years of clusters at Tianfu Systems"),
                         Who("speaker", "deng.chao", "eBPF for the curious")),
                 recap=Recap(55, "slides photos", "A full house at the software park; the eBPF demo drew most of the questions.")),
    ActivitySpec("hz-2601-meetup", "hangzhou", "offline_meetup", "2026-01-17 14:00", 3, "Hangzhou Serverless Meetup: functions at scale", "submit accept recap",
                 venue="Qiantang Data, 9F, 88 Jiangnan Avenue, Binjiang", expected=60, tags="serverless",
                 people=(Who("organizer", "xu.ming"), Who("speaker", "xu.ming", "Cold starts we did not expect"),
                         Who("speaker", "wu.hao", "Storage for functions")),
                 recap=Recap(64, "recording slides", "Two talks and a long Q&A on cold starts.")),
    ActivitySpec("gz-2601-online", "guangzhou", "online_meetup", "2026-01-22 20:00", 1.5, "Fintech security night (online)", "submit accept recap",
                 online="https://meet.demo.example/guangzhou/security-night", expected=150, tags="security fintech",
                 people=(Who("host", "emily.wong"), Who("speaker", "luo.dan", "Supply-chain security in a bank")),
                 recap=Recap(172, "recording", "172 people joined; the supply-chain checklist is in the recording's notes.")),
    ActivitySpec("cd-2603-online", "chengdu", "online_meetup", "2026-03-05 20:00", 1.5, "Design for developer tools (online)", "submit accept recap",
                 online="https://meet.demo.example/chengdu/design-devtools", expected=80, tags="design ux",
                 people=(Who("host", "liu.yang"), Who("speaker", "tang.yu", "Designing a CLI people enjoy")),
                 recap=Recap(91, "recording slides", "91 people online; the CLI checklist became a docs page.")),
    ActivitySpec("sh-2603-visit", "shanghai", "company_visit", "2026-03-21 14:00", 3, "Visit to Example Cloud's Zhangjiang engineering centre", "submit accept recap",
                 venue="Example Cloud Inc., Zhangjiang engineering centre, Pudong", expected=30, tags="company-visit sre",
                 organisations="example-cloud:co_host example-cloud:sponsor example-cloud:venue",
                 people=(Who("organizer", "zhang.min"), Guest("host", "Grace Lin", "Example Cloud Inc."),
                         Guest("speaker", "Priya Raman", "Example Cloud Inc.", "A day in the life of our SRE team")),
                 recap=Recap(28, "article photos", "28 members toured the operations floor and the on-call room.")),
    ActivitySpec("hz-2603-campus", "hangzhou", "campus_visit", "2026-03-26 19:00", 2, "Open source careers: an evening at Zhejiang Demo University", "submit accept recap",
                 venue="Zhejiang Demo University, Zijingang campus, Lecture Hall 3", expected=150, tags="students careers",
                 organisations="zju:co_host zju:venue",
                 people=(Who("organizer", "chen.jie"), Who("speaker", "chen.jie", "From user to maintainer"),
                         Who("speaker", "lin.xiao", "Translating docs is contributing"),
                         Guest("host", "Prof. Wang Lei", "Zhejiang Demo University")),
                 recap=Recap(168, "slides photos", "168 students came; 23 joined the mentoring program's mailing list.")),
    ActivitySpec("sz-2604-visit", "shenzhen", "company_visit", "2026-04-18 14:00", 3, "Visit to Nanshan Robotics' edge lab", "submit accept recap",
                 venue="Nanshan Robotics, Building 5, Shenzhen Bay Science Park", expected=25, tags="edge robotics company-visit",
                 organisations="nanshan-robotics:venue",
                 people=(Who("organizer", "ma.lin"), Who("speaker", "xie.na", "Scheduling AI workloads on robots")),
                 recap=Recap(24, "photos", "24 members saw robots pull container images over a flaky network.")),
    ActivitySpec("sh-2604-online", "shanghai", "online_meetup", "2026-04-22 20:00", 1.5, "eBPF office hours (online)", "submit accept recap",
                 online="https://meet.demo.example/shanghai/ebpf-office-hours", expected=120, tags="ebpf observability",
                 people=(Who("host", "zhao.yang"), Guest("speaker", "Tomás Rivera", "independent", "Tracing without changing code")),
                 recap=Recap(143, "recording", "143 people online; questions ran 40 minutes past the end.")),
    ActivitySpec("hz-2605-podcast", "hangzhou", "podcast", "2026-05-12 20:00", 1, "Westlake Cloud Talk #3: translating docs for a million readers", "submit accept recap",
                 tags="docs translation", organisations="open-source-weekly:partner",
                 people=(Who("host", "xu.ming"), Who("guest", "lin.xiao")),
                 recap=Recap(1850, "episode", "1,850 plays in the first week; Open Source Weekly reposted the episode.")),
    ActivitySpec("sz-gz-2605-joint", "shenzhen", "offline_meetup", "2026-05-23 13:30", 5, "South China Cloud Native Meetup: edge meets fintech", "submit accept recap",
                 venue=SHEKOU_VENUE, expected=180, tags="edge fintech south-china",
                 co_hosts="guangzhou", organisations="example-cloud:sponsor",
                 people=(Who("organizer", "ma.lin"), Who("organizer", "guo.qiang"), Who("host", "zheng.hui"),
                         Who("speaker", "xie.na", "AI inference at the edge"), Who("speaker", "emily.wong", "Compliance as code"),
                         Guest("speaker", "Aditi Sharma", "Example Cloud Inc.", "Multi-cluster networking")),
                 links="registration",
                 recap=Recap(196, "recording slides photos", "The two chapters' first joint meetup: 196 people, three talks, a coach from Guangzhou.")),
    ActivitySpec("cd-2606-meetup", "chengdu", "offline_meetup", "2026-06-13 14:00", 3, "Chengdu Meetup: summer lightning talks", "submit accept",
                 venue="Panda Labs, 2F, Tianfu Third Street", expected=40, tags="lightning-talks",
                 people=(Who("organizer", "tang.yu"), Who("speaker", "peng.fei", "My first pull request"),
                         Who("speaker", "yang.xue", "Kubernetes for data people"))),
    ActivitySpec("sh-hz-2606-joint", "shanghai", "offline_meetup", "2026-06-20 09:30", 8, "East China Observability Day: Shanghai and Hangzhou", "submit accept recap",
                 venue="West Bund Conference Centre, Xuhui, Shanghai", expected=200, tags="observability opentelemetry east-china",
                 co_hosts="hangzhou", organisations="example-cloud:sponsor open-source-weekly:partner",
                 people=(Who("organizer", "lead.shanghai"), Who("organizer", "xu.ming"),
                         Who("speaker", "member", "My first month with OpenTelemetry"),
                         Who("speaker", "anna.kowalska", "Security signals in traces"),
                         Guest("speaker", "Tomás Rivera", "independent", "Profiling in production")),
                 links="registration",
                 recap=Recap(214, "recording slides photos", "214 people from both cities; all seven talks were recorded.")),
    ActivitySpec("sh-2607-article", "shanghai", "article", "2026-07-08 10:00", None, "What we learned running 35 meetups", "submit accept recap",
                 tags="community organizing", people=(Who("author", "zhang.min"),),
                 recap=Recap(3400, "article", "Read 3,400 times in its first month; Open Source Weekly reposted it.")),
    ActivitySpec("gz-2607-talk", "guangzhou", "talk", "2026-07-15 11:00", 0.75, "Compliance as code: a talk at the Pearl River FinTech Forum", "submit accept recap",
                 venue="Pearl River FinTech Forum, Canton Tower conference centre", language="en", expected=300, tags="talk fintech compliance",
                 people=(Who("speaker", "emily.wong", "Compliance as code"),),
                 recap=Recap(260, "slides recording", "A full room; two banks asked for the policy examples.")),
    ActivitySpec("hz-2608-live", "hangzhou", "live_stream", "2026-08-06 20:00", 1.5, "Live: serverless cold starts, measured", "submit accept recap",
                 online="https://live.demo.example/hangzhou/cold-starts", expected=500, tags="serverless performance",
                 organisations="open-source-weekly:partner",
                 people=(Who("host", "xu.ming"), Who("speaker", "wu.hao", "Benchmarks on three platforms")),
                 recap=Recap(730, "recording", "730 live viewers; the benchmark repository is linked from the recording.")),
    ActivitySpec("sh-2609-mentoring", "shanghai", "mentoring", "2026-09-05 15:00", 1, "Mid-term check-in: eBPF network observability dashboard", "submit accept recap",
                 online="https://meet.demo.example/shanghai/ebpf-dashboard", tags="mentoring ebpf", project="ebpf-dashboard",
                 people=(Who("mentor", "zhao.yang"), Who("mentee", "sun.li")),
                 recap=Recap(6, "recording slides", "Sun Li demoed the flow graph; next comes a storage backend.")),
    ActivitySpec("sh-2609-talk", "shanghai", "talk", "2026-09-12 11:00", 0.75, "Running Kubernetes at Huangpu Cloud: a talk at Cloud Native Days Demo 2026", "submit accept recap",
                 venue="Cloud Native Days Demo 2026, Shanghai Expo Centre", language="en", expected=400, tags="talk kubernetes",
                 people=(Who("speaker", "lead.shanghai", "Running Kubernetes at Huangpu Cloud"),),
                 recap=Recap(380, "slides recording", "380 in the room; the chapter's booth signed up 40 new members.")),
    ActivitySpec("sz-2609-meetup", "shenzhen", "offline_meetup", "2026-09-13 14:00", 3, "Shenzhen Meetup: edge AI on small devices", "submit cancel",
                 venue=SHEKOU_VENUE, expected=90, tags="edge ai",
                 people=(Who("organizer", "zheng.hui"), Who("speaker", "xie.na", "Quantised models on ARM boards")),
                 cancel="Typhoon signal No. 8 was raised the day before; the talks move to January."),
    ActivitySpec("cd-2609-sprint", "chengdu", "other", "2026-09-26 10:00", 6, "Design sprint for the chapter website", "cancel",
                 venue="Panda Labs, 2F, Tianfu Third Street", tags="design website",
                 people=(Who("organizer", "tang.yu"),),
                 cancel="Postponed: with three members gone, the chapter pauses until spring 2027."),
    ActivitySpec("gz-2610-sprint", "guangzhou", "other", "2026-10-10 13:00", 5, "Docs contribution sprint", "submit accept recap",
                 venue="Canton Fintech co-working space, Zhujiang New Town", expected=30, tags="docs contribution",
                 people=(Who("organizer", "huang.jing"), Who("host", "emily.wong")),
                 recap=Recap(27, "photos article", "27 people opened 41 pull requests; 33 were merged by the end of the month.")),
    ActivitySpec("hz-2610-mentoring", "hangzhou", "mentoring", "2026-10-14 19:30", 1, "Final demo: a Chinese glossary for the Kubernetes docs", "submit accept recap",
                 online="https://meet.demo.example/hangzhou/glossary-demo", tags="mentoring docs translation", project="k8s-glossary",
                 people=(Who("mentor", "lin.xiao"), Who("mentee", "peng.fei")),
                 recap=Recap(18, "recording slides", "The glossary is merged; the docs team adopts it from November.")),
    ActivitySpec("sh-2610-workshop", "shanghai", "offline_meetup", "2026-10-17 13:30", 4, "Hands-on Kubernetes workshop with Cloud Native Training Co.", "submit accept reopen fix accept recap",
                 venue="Cloud Native Training Co. classroom, 500 Nanjing West Road, Jing'an", expected=40, tags="workshop kubernetes",
                 organisations="cn-training:co_host cn-training:venue",
                 people=(Who("organizer", "zhang.min"), Guest("speaker", "Zhou Ping", "Cloud Native Training Co.", "Troubleshooting a broken cluster")),
                 reopen="The training company moved the workshop to its Xuhui classroom: please correct the venue.",
                 fix=Fix("Venue corrected to the Xuhui classroom.", venue="Cloud Native Training Co. classroom, 1 Caoxi North Road, Xuhui"),
                 recap=Recap(38, "slides photos", "38 people broke and fixed clusters for four hours; ten won exam vouchers.")),
    ActivitySpec("gz-2610-meetup", "guangzhou", "offline_meetup", "2026-10-24 14:00", 3, "Guangzhou Meetup: service mesh one year on", "submit accept",
                 venue=TIANHE_VENUE, expected=70, tags="service-mesh",
                 people=(Who("organizer", "guo.qiang"), Who("speaker", "guo.qiang", "Sidecars, one year later"),
                         Who("speaker", "thomas.muller", "A mesh inside a car"))),
    ActivitySpec("hz-2610-article", "hangzhou", "article", "2026-10-30 09:00", None, "Serverless in practice: notes from five Hangzhou teams", "submit accept recap",
                 tags="serverless case-study", people=(Who("author", "xu.ming"), Who("author", "lin.xiao")),
                 recap=Recap(2100, "article", "2,100 reads; two of the teams offered to speak in 2027.")),
    ActivitySpec("sz-2611-live", "shenzhen", "live_stream", "2026-11-05 20:00", 1.5, "Live: Kubernetes at the edge", "submit accept",
                 online="https://live.demo.example/shenzhen/k8s-edge", language="en", expected=300, tags="edge kubernetes",
                 people=(Who("host", "olivia.brown"), Who("speaker", "ma.lin", "K3s on a factory floor"),
                         Who("speaker", "ahmed.hassan", "Fleet updates over bad networks"))),
    ActivitySpec("sh-2611-meetup", "shanghai", "offline_meetup", "2026-11-25 19:00", 2.5, "Shanghai Cloud Native Meetup #36: AI infrastructure", "submit accept",
                 venue=SHANGHAI_VENUE, expected=90, tags="ai-infra kubernetes",
                 organisations="example-cloud:venue",
                 people=(Who("organizer", "lead.shanghai"), Who("speaker", "zhao.yang", "GPU scheduling in practice"),
                         Guest("speaker", "Priya Raman", "Example Cloud Inc.", "Serving models on Kubernetes")),
                 links="registration"),
    ActivitySpec("hz-2612-kickoff", "hangzhou", "mentoring", "2026-12-03 19:30", 1, "Kick-off: serverless function templates", "submit",
                 online="https://meet.demo.example/hangzhou/templates-kickoff", tags="mentoring serverless", project="function-templates",
                 people=(Who("mentor", "xu.ming"), Who("mentee", "feng.rui"))),
    ActivitySpec("gz-2612-meetup", "guangzhou", "offline_meetup", "2026-12-05 14:00", 3, "Guangzhou year-end meetup: lightning talks and hot pot", "submit changes fix",
                 venue="Tianhe", expected=120, tags="lightning-talks year-end",
                 people=(Who("organizer", "emily.wong"), Who("speaker", "luo.dan", "Security in five minutes"),
                         Who("speaker", "feng.rui", "My first year in open source")),
                 review="Please give the full address and a registration link. The room you booked last time holds 60: is 120 realistic?",
                 fix=Fix("Full address added, registration is open, and we now expect 60.", venue=TIANHE_VENUE, expected=60, links="registration")),
    ActivitySpec("sz-2612-live", "shenzhen", "live_stream", "2026-12-10 20:00", 1.5, "Live: WebAssembly on robots", "submit",
                 online="https://live.demo.example/shenzhen/wasm-robots", expected=250, tags="wasm edge",
                 people=(Who("host", "zheng.hui"), Who("speaker", "xie.na", "Wasm modules on a robot arm"))),
    ActivitySpec("hz-2612-campus", "hangzhou", "campus_visit", "2026-12-12 13:30", 4, "Open Source Day at Zhejiang Demo University", "submit changes reply",
                 venue="Zhejiang Demo University", expected=200, tags="students campus",
                 organisations="zju:co_host",
                 people=(Who("organizer", "chen.jie"), Guest("host", "Prof. Wang Lei", "Zhejiang Demo University")),
                 review="Which building and room? Please also list the speakers and add the university as the venue.",
                 reply="The university confirms the room on Monday; I will add it and the speakers then."),
    ActivitySpec("hz-2612-podcast", "hangzhou", "podcast", "2026-12-15 20:00", 1, "Westlake Cloud Talk #4: a year of serverless in Hangzhou", "",
                 tags="serverless", people=(Who("host", "xu.ming"), Who("guest", "anna.kowalska"))),
    ActivitySpec("sh-2612-meetup", "shanghai", "offline_meetup", "2026-12-19 14:00", 3, "Shanghai Cloud Native Meetup #37: year-end lightning talks", "submit",
                 venue=SHANGHAI_VENUE, expected=100, tags="lightning-talks year-end",
                 organisations="example-cloud:venue example-cloud:sponsor",
                 people=(Who("organizer", "lead.shanghai"), Who("organizer", "zhang.min")),
                 links="registration"),
    ActivitySpec("sh-2701-kickoff", "shanghai", "other", "2027-01-09 18:00", 3, "2027 kickoff: volunteer dinner and planning", "",
                 tags="volunteers planning", people=(Who("organizer", "zhang.min"),)),
    ActivitySpec("sz-2701-meetup", "shenzhen", "offline_meetup", "2027-01-09 14:00", 3, "Shenzhen Meetup: edge AI on small devices (rescheduled)", "submit reschedule",
                 venue=SHEKOU_VENUE, expected=90, tags="edge ai",
                 people=(Who("organizer", "zheng.hui"), Who("speaker", "xie.na", "Quantised models on ARM boards"),
                         Who("speaker", "he.jun", "Observability on a budget")),
                 links="registration",
                 reschedule=Reschedule("2027-01-16 14:00", "The venue double-booked the 9th; the 16th is confirmed.")),
    # Hangzhou drafts a campus visit that Shanghai co-hosts: Shanghai's leads follow the draft
    # and comment; it still needs its room before it can be submitted.
    ActivitySpec("hz-2701-campus", "hangzhou", "campus_visit", "2027-01-23 14:00", 3, "Open source in the classroom: Hangzhou and Shanghai at Zhejiang Demo University", "",
                 expected=120, tags="students campus", co_hosts="shanghai", organisations="zju:co_host",
                 people=(Who("organizer", "xu.ming"), Who("organizer", "lead.shanghai"),
                         Who("speaker", "zhang.min", "How a city meetup is run"))),
]

DEMO_LEDGER = Ledger(DEMO_ORGANISATIONS, DEMO_PROGRAM, DEMO_PROJECTS, DEMO_ACTIVITIES, reviewer="ops")

ACME_PEOPLE = [
    Profile("admin",        "Alex Acme",    "alex-acme", "Berlin",  "Acme Foundation", "non-code",      "staff"),
    Profile("jonas.weber",  "Jonas Weber",  "jweber",    "Berlin",  "Spree Systems",   "code",          "organizer kubernetes"),
    Profile("lena.fischer", "Lena Fischer", "lfischer",  "Berlin",  "Kiez Data",       "user non-code", "docs organizer"),
    Profile("mateo.rossi",  "Mateo Rossi",  "mrossi",    "Potsdam", None,              "user",          "observability"),
    Profile("aylin.demir",  "Aylin Demir",  "ademir",    "Berlin",  "Spree Systems",   "user code",     "security"),
    Profile("piotr.nowak",  "Piotr Nowak",  "pnowak",    "Warsaw",  "Vistula Cloud",   "user",          "gitops"),
]

ACME_CHAPTERS = [
    ChapterSpec("berlin", "Berlin", "Berlin", "Berlin-Brandenburg", "2022-11-05", None, "Acme's first chapter."),
]

ACME_HISTORY = [
    Change("2022-11-05", "berlin", "jonas.weber",  LEAD,    "founding lead"),
    Change("2022-11-05", "berlin", "lena.fischer", MEMBER),
    Change("2023-02-11", "berlin", "mateo.rossi",  MEMBER),
    Change("2023-06-03", "berlin", "lena.fischer", CO_LEAD),
    Change("2023-09-09", "berlin", "piotr.nowak",  MEMBER),
    Change("2024-04-06", "berlin", "aylin.demir",  MEMBER),
    Change("2025-03-01", "berlin", "piotr.nowak",  LEFT,    "moved to Warsaw"),
]
# fmt: on

CONTENT = {
    "demo": TenantContent(
        domain="demo.example",
        country="CN",
        people=DEMO_PEOPLE,
        chapters=DEMO_CHAPTERS,
        history=DEMO_HISTORY,
        status_changes=DEMO_STATUS_CHANGES,
        committee=DEMO_COMMITTEE,
        ledger=DEMO_LEDGER,
        invitations=[
            EmailInvitation("shanghai", "lead.shanghai", "wang.fang@newcomer.example", "Wang Fang")
        ],
        # Speakers who chose to be named on public event pages; the others stay unnamed there.
        public_profiles=frozenset({"zhang.min", "chen.jie", "xu.ming", "xie.na", "emily.wong"}),
    ),
    "acme": TenantContent(
        domain="acme.example",
        country="DE",
        people=ACME_PEOPLE,
        chapters=ACME_CHAPTERS,
        history=ACME_HISTORY,
    ),
}
