"""The demo city's 12345 knowledge base (知识库): the policy answers 明湖市's units give to the questions callers ask
most, each with its source unit (a name of `city.CITY_UNITS`), a leaf category of `taxonomy`, the policy basis and
the dates it holds.

Two articles have expired and one takes effect a month after loading, to show that search never offers them; one
is withdrawn. Figures and telephone numbers are the demo city's, not any real city's. `load_knowledge` writes them
through the knowledge base's services, skipping an article whose category or unit is missing and one whose title
is already there (loading again adds only what is missing).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yiwang.cases import knowledge
from yiwang.demo.city import BIG_DATA_BUREAU
from yiwang.org import selectors as org_selectors

HRSS = "人力资源和社会保障局"
MEDICAL_SECURITY = "医疗保障局"
HOUSING = "住房和城乡建设局"
CIVIL_AFFAIRS = "民政局"
POLICE = "公安局"
WATER = "供水公司"
POWER = "供电公司"
GAS = "燃气公司"
HEATING = "热力公司"
URBAN = "城市管理局"
ENVIRONMENT = "生态环境局"
EDUCATION = "教育局"
HEALTH = "卫生健康委员会"
MARKET = "市场监督管理局"
TRANSPORT = "交通运输局"
NATURAL_RESOURCES = "自然资源和规划局"
HOTLINE = "12345热线中心"


@dataclass(frozen=True)
class DemoArticle:
    """A policy answer of the demo city. `starts_in_days` puts its effective date after the day it is loaded."""

    title: str
    question: str
    answer: str
    category: str  # a leaf code of the demo taxonomy
    department: str
    keywords: str = ""
    basis: str = ""
    effective_from: datetime.date = datetime.date(2025, 1, 1)
    expires_on: datetime.date | None = None
    starts_in_days: int | None = None
    withdrawn: bool = False


ARTICLES: tuple[DemoArticle, ...] = (
    # 05 劳动社保
    DemoArticle(
        "社会保险缴费基数上下限怎么定",
        "今年社保缴费基数是多少？工资低的按多少交？",
        "职工以本人上年度月平均工资为社会保险缴费基数。低于全省上年度全口径城镇单位就业人员月平均工资60%的，按60%"
        "核定；高于300%的，按300%核定。本年度基数下限为4,027元/月、上限为20,135元/月，单位须于每年7月前完成年度"
        "基数申报。",
        "0502",
        HRSS,
        keywords="社保 缴费基数 上下限 工资基数",
        basis="《中华人民共和国社会保险法》第十二条",
        effective_from=datetime.date(2025, 7, 1),
    ),
    DemoArticle(
        "2024年度社会保险缴费基数",
        "2024年社保缴费基数是多少？",
        "2024年度社会保险缴费基数下限为3,865元/月、上限为19,325元/月。",
        "0502",
        HRSS,
        keywords="社保 缴费基数 2024",
        basis="明人社发〔2024〕8号",
        effective_from=datetime.date(2024, 1, 1),
        expires_on=datetime.date(2024, 12, 31),
    ),
    DemoArticle(
        "社会保障卡补办和换领",
        "社保卡丢了怎么补办？",
        "社会保障卡遗失后，先拨打12333或通过“明湖人社”公众号办理临时挂失，再携带本人身份证到任一合作银行网点或人社"
        "服务大厅补办，立等可取的网点当场制卡，其他网点10个工作日内制卡。补卡工本费按规定收取，首次换领第三代社保卡免费。",
        "0502",
        HRSS,
        keywords="社保卡 补办 挂失 换卡",
        basis="《社会保障卡管理办法》",
    ),
    DemoArticle(
        "灵活就业人员参加职工养老保险",
        "没有单位，个人怎么交养老保险？",
        "具有本市户籍或持本市居住证的灵活就业人员，可以个人身份参加职工基本养老保险。携带身份证到户籍地或居住地"
        "社保经办机构登记，也可网上办理；缴费基数在全省平均工资的60%至300%之间自选，按20%比例缴费，其中8%记入个人账户。",
        "0502",
        HRSS,
        keywords="灵活就业 个体 养老保险 自由职业",
        basis="《中华人民共和国社会保险法》第十条",
    ),
    DemoArticle(
        "被拖欠工资怎么维权",
        "老板拖欠工资不给怎么办？",
        "可携带劳动合同、工资条、考勤记录等证据，向用人单位所在地的劳动保障监察机构投诉，或拨打12333、12345反映；"
        "属于劳动争议的，可在一年内向劳动人事争议仲裁委员会申请仲裁。农民工工资被拖欠的，可通过“根治欠薪”线索反映"
        "平台实名反映，监察机构自受理之日起30个工作日内处理完毕。",
        "0501",
        HRSS,
        keywords="欠薪 拖欠工资 讨薪 农民工工资 劳动仲裁",
        basis="《保障农民工工资支付条例》；《劳动保障监察条例》",
    ),
    DemoArticle(
        "退休人员基本养老金调整",
        "今年养老金涨多少？什么时候发？",
        "本年度退休人员基本养老金按国家统一部署调整，采取定额调整、挂钩调整与适当倾斜相结合的办法，调整增加的金额随"
        "当月养老金一并发放，已于7月底前补发到位。具体增加额可在“明湖人社”公众号查询。",
        "0503",
        HRSS,
        keywords="养老金 退休金 涨工资 调整",
        basis="明人社发〔2025〕21号",
        effective_from=datetime.date(2025, 7, 1),
    ),
    DemoArticle(
        "医保异地就医备案",
        "去外地看病怎么备案才能直接报销？",
        "参保人可通过国家医保服务平台APP、“明湖医保”公众号或医保经办窗口办理异地就医备案。异地长期居住人员和常驻"
        "异地工作人员备案后在就医地享受直接结算；临时外出就医人员可先备案后就医，备案有效期内不限次数。未备案的，"
        "出院后回参保地手工报销，报销比例降低10个百分点。",
        "0505",
        MEDICAL_SECURITY,
        keywords="医保 异地就医 备案 直接结算 外地看病",
        basis="《关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
    ),
    DemoArticle(
        "城乡居民医保年度缴费",
        "居民医保什么时候交，交多少？",
        "城乡居民基本医疗保险按年度缴费，集中缴费期为每年9月1日至12月31日，个人缴费标准为每人每年380元。可通过"
        "税务APP、微信“明湖税务”或银行柜面缴纳；新生儿出生后90天内参保缴费的，自出生之日起享受待遇。",
        "0505",
        MEDICAL_SECURITY,
        keywords="医保 居民医保 缴费 新农合",
        basis="明医保发〔2025〕3号",
    ),
    # 10 住房
    DemoArticle(
        "住房公积金提取条件和办理",
        "公积金什么情况下可以取出来？",
        "职工购买、建造、翻建、大修自住住房，偿还购房贷款本息，租房自住，离休退休，完全丧失劳动能力并与单位终止"
        "劳动关系等情形，可以申请提取住房公积金。租房提取每年可办理一次，通过“明湖公积金”APP线上办理，审核通过后"
        "1个工作日内到账。",
        "1004",
        HOUSING,
        keywords="公积金 提取 租房提取 取公积金",
        basis="《住房公积金管理条例》第二十四条",
    ),
    DemoArticle(
        "住房公积金贷款额度",
        "公积金能贷多少钱？",
        "公积金贷款最高额度为单缴存职工50万元、双缴存职工70万元；购买首套绿色建筑或装配式住房的，额度可上浮10%。"
        "贷款额度不超过借款人缴存余额的15倍，且不超过房价的80%。",
        "1004",
        HOUSING,
        keywords="公积金 贷款 额度 房贷",
        basis="明公积金委〔2025〕2号",
    ),
    DemoArticle(
        "物业服务纠纷怎么处理",
        "物业不作为、乱收物业费，找谁？",
        "物业服务质量、收费问题，可先与物业服务企业协商，或向业主委员会、社区居委会反映；协商不成的，可向小区所在"
        "街道办事处或区住房和城乡建设局物业管理科投诉，也可申请人民调解或向人民法院起诉。物业费收费标准应在小区显著"
        "位置公示，未公示的项目业主有权拒绝缴纳。",
        "1001",
        HOUSING,
        keywords="物业 物业费 业委会 物业纠纷",
        basis="《物业管理条例》；《明湖市物业管理条例》",
    ),
    DemoArticle(
        "二手房过户办理",
        "买二手房怎么办不动产权证？",
        "买卖双方携带身份证、不动产权证书、网签合同和完税凭证，到不动产登记中心“一窗受理”窗口申请转移登记，"
        "资料齐全的5个工作日内办结，也可通过“明湖不动产”小程序预约和网上申请。",
        "1005",
        NATURAL_RESOURCES,
        keywords="过户 房产证 不动产权证 二手房",
        basis="《不动产登记暂行条例》",
    ),
    # 09 民政
    DemoArticle(
        "最低生活保障申请条件",
        "低保怎么申请？需要什么条件？",
        "共同生活的家庭成员人均月收入低于本市城乡低保标准（每人每月780元），且家庭财产状况符合规定的，可以由本人向"
        "户籍所在地或经常居住地的街道办事处（乡镇人民政府）提出申请，也可委托社区代为提出。街道自受理之日起30日内"
        "完成审核确认，结果在社区公示7天。",
        "0901",
        CIVIL_AFFAIRS,
        keywords="低保 最低生活保障 困难家庭 救助",
        basis="《社会救助暂行办法》第九条至第十一条",
    ),
    DemoArticle(
        "临时救助申请",
        "家里遇到急事、大病，生活困难怎么申请救助？",
        "因火灾、交通事故、突发重大疾病等导致基本生活暂时出现严重困难的家庭或个人，可向所在街道办事处申请临时救助；"
        "情况紧急的可先行救助、后补手续，救助金额一般不超过低保标准的6倍。",
        "0901",
        CIVIL_AFFAIRS,
        keywords="临时救助 急难 救助金",
        basis="《社会救助暂行办法》第四十七条",
    ),
    DemoArticle(
        "高龄津贴发放",
        "80岁老人有补贴吗？",
        "具有本市户籍、年满80周岁的老年人可享受高龄津贴：80至89周岁每人每月100元，90至99周岁每人每月300元，100周岁"
        "以上每人每月600元。由本人或家属向户籍所在地社区申请，审核通过后次月起按月发放到社保卡。",
        "0902",
        CIVIL_AFFAIRS,
        keywords="高龄津贴 老年人补贴 养老",
        basis="明民发〔2024〕15号",
    ),
    # 08 公安政法
    DemoArticle(
        "居住证办理",
        "外地人在明湖怎么办居住证？",
        "离开常住户口所在地到本市居住半年以上，有合法稳定就业、合法稳定住所或连续就读条件之一的，可携带身份证、"
        "租房合同或房产证明、劳动合同等材料到居住地派出所申领居住证，也可通过“明湖公安”公众号网上申请，15个工作日内"
        "制证。居住证每年签注一次。",
        "0801",
        POLICE,
        keywords="居住证 暂住证 外地户口",
        basis="《居住证暂行条例》第九条",
    ),
    DemoArticle(
        "新生儿落户",
        "孩子出生后怎么上户口？",
        "新生儿出生后一个月内，由父母一方持《出生医学证明》、父母双方户口簿和身份证、结婚证，到父亲或母亲常住户口"
        "所在地派出所申报出生登记；也可通过“出生一件事”在网上与医保参保、社保卡申领一并办理。",
        "0801",
        POLICE,
        keywords="落户 上户口 出生登记 新生儿",
        basis="《中华人民共和国户口登记条例》第七条",
    ),
    DemoArticle(
        "身份证丢失补办和异地办理",
        "身份证丢了，在外地能补办吗？",
        "居民身份证丢失后应及时到就近派出所挂失并补领；全国范围内均可异地申请补领、换领，携带户口簿（异地办理时无需）"
        "并现场采集照片和指纹，20个工作日内制证。急需乘坐火车飞机的，可在车站、机场公安窗口办理临时身份证明。",
        "0801",
        POLICE,
        keywords="身份证 补办 挂失 异地办证",
        basis="《中华人民共和国居民身份证法》第十一条",
    ),
    DemoArticle(
        "社会生活噪音投诉处理",
        "晚上广场舞、邻居装修太吵，找谁？",
        "夜间（22时至次日6时）的社会生活噪音扰民，如娱乐场所、邻里喧哗、广场舞等，可拨打110或12345反映，由辖区派出所"
        "到场劝阻处理；屡劝不改的依法处罚。白天住宅装修噪音，由物业服务企业或社区先行劝阻，装修时间为工作日8时至12时、"
        "14时至18时。",
        "0803",
        POLICE,
        keywords="噪音 扰民 广场舞 装修噪声 邻居吵",
        basis="《中华人民共和国噪声污染防治法》第五十九条至第六十八条",
    ),
    DemoArticle(
        "养犬登记",
        "在市区养狗要办证吗？",
        "在本市城区饲养犬只应到辖区派出所或宠物医院办理养犬登记，领取犬牌；每户限养一只，禁止饲养烈性犬。出户遛犬"
        "须束犬链、及时清理粪便。发现流浪犬或犬只伤人，可拨打110或12345反映。",
        "0805",
        POLICE,
        keywords="养狗 犬证 遛狗 流浪狗",
        basis="《明湖市养犬管理规定》",
    ),
    # 12 水电气暖
    DemoArticle(
        "停水信息查询",
        "家里突然停水了，是计划停水吗？",
        "计划停水提前24小时在“明湖供水”公众号、供水公司网站和小区公告栏发布，写明停水范围和时间；突发停水可拨打"
        "供水公司24小时服务热线0398-96606查询抢修进度。停水超过24小时的，供水公司安排送水车到小区。",
        "1201",
        WATER,
        keywords="停水 没水 供水 计划停水",
        basis="《城市供水条例》第二十二条",
    ),
    DemoArticle(
        "阶梯水价和水费缴纳",
        "水费怎么算？在哪里交？",
        "居民生活用水实行阶梯水价：年用水量180立方米以内3.2元/立方米，181至260立方米4.8元/立方米，超过260立方米"
        "9.6元/立方米（均含污水处理费）。可通过“明湖供水”公众号、支付宝、银行代扣或营业厅缴纳。",
        "1201",
        WATER,
        keywords="水费 阶梯水价 交水费",
        basis="明发改价格〔2023〕56号",
    ),
    DemoArticle(
        "停电查询和故障报修",
        "小区停电了怎么查，怎么报修？",
        "计划停电信息提前7天在“网上国网”APP和供电公司公众号公布；故障停电可拨打95598报修，城区抢修人员45分钟内到达"
        "现场。户内线路故障由用户自行维修，可联系物业或有资质的电工。",
        "1202",
        POWER,
        keywords="停电 没电 电力抢修 95598",
        basis="《供电营业规则》",
    ),
    DemoArticle(
        "燃气开户和漏气处置",
        "新房怎么开通燃气？闻到煤气味怎么办？",
        "新房开通燃气，携带房产证明和身份证到燃气公司营业厅或通过“明湖燃气”公众号申请，工作人员3个工作日内上门通气"
        "和安检。闻到燃气异味时，立即关闭阀门、开窗通风，严禁开关电器和使用明火，到室外拨打燃气公司抢修电话0398-96777。",
        "1203",
        GAS,
        keywords="燃气 煤气 天然气 开户 漏气",
        basis="《城镇燃气管理条例》",
    ),
    DemoArticle(
        "供暖时间",
        "今年什么时候开始供暖？",
        "本市法定供暖期为每年11月15日至次年3月15日，热力公司一般于11月10日前后开始注水试压；遇气温持续偏低，经市政府"
        "批准可提前供暖或延长供暖。供暖期间室内温度不低于18℃。",
        "1204",
        HEATING,
        keywords="供暖 暖气 采暖期 供热",
        basis="《明湖市城市供热管理办法》第十八条",
    ),
    DemoArticle(
        "暖气不热怎么办",
        "暖气不热，室温不够怎么办？",
        "先检查户内阀门是否全开、暖气片是否需要排气；仍不热的，拨打热力公司服务热线0398-96800报修，工作人员24小时内"
        "上门测温。室温连续低于18℃且属供热企业责任的，按规定退还相应天数的采暖费。",
        "1204",
        HEATING,
        keywords="暖气不热 室温低 供暖 测温 退费",
        basis="《明湖市城市供热管理办法》第二十二条",
    ),
    DemoArticle(
        "2023—2024采暖季供暖收费标准",
        "去年暖气费多少钱一平方米？",
        "2023—2024采暖季居民供暖价格为每平方米建筑面积22元。",
        "1204",
        HEATING,
        keywords="暖气费 采暖费 收费标准",
        effective_from=datetime.date(2023, 11, 1),
        expires_on=datetime.date(2024, 3, 31),
    ),
    # 01 城乡建设, 02 生态环境
    DemoArticle(
        "占道经营怎么管",
        "小区门口流动摊贩占道，找谁管？",
        "流动摊贩、店外经营等占道经营行为，由所在街道办事处牵头、城市管理执法部门依法查处；可拨打12345反映具体地点和"
        "时间段。本市在部分街道设置了便民疏导点，鼓励摊贩入点经营。",
        "0104",
        URBAN,
        keywords="占道经营 摆摊 流动摊贩 店外经营",
        basis="《城市市容和环境卫生管理条例》第十四条",
    ),
    DemoArticle(
        "夜间施工噪声",
        "工地半夜还在施工，吵得睡不着怎么办？",
        "22时至次日6时，除抢修、抢险作业和因生产工艺要求必须连续施工并取得夜间施工证明的外，禁止在噪声敏感建筑物集中"
        "区域进行产生噪声的建筑施工作业。可拨打12345反映工地名称和位置，生态环境部门和住建部门依法查处。",
        "0204",
        ENVIRONMENT,
        keywords="施工噪音 夜间施工 工地扰民 噪声",
        basis="《中华人民共和国噪声污染防治法》第四十三条",
    ),
    # 06 教育, 07 卫生健康
    DemoArticle(
        "小学入学报名",
        "孩子明年上小学，怎么报名？要准备什么？",
        "年满6周岁的适龄儿童，由父母于每年6月通过“明湖义务教育招生平台”网上报名，按学区划分就近入学。需准备户口簿、"
        "房产证或购房合同；随迁子女另需居住证和父母一方的务工或经商证明。学区划分在5月底前向社会公布。",
        "0601",
        EDUCATION,
        keywords="入学 上学 小学报名 学区 一年级",
        basis="《中华人民共和国义务教育法》第十二条",
    ),
    DemoArticle(
        "儿童预防接种",
        "宝宝打疫苗去哪里，要预约吗？",
        "儿童免疫规划疫苗免费接种。新生儿出生后在医院接种乙肝疫苗和卡介苗，出院后一个月内持《预防接种证》到居住地"
        "社区卫生服务中心建档；此后按接种证上的时间预约接种，可通过“明湖健康”公众号查询门诊地址和预约。",
        "0702",
        HEALTH,
        keywords="疫苗 打疫苗 接种 预防接种证",
        basis="《中华人民共和国疫苗管理法》第四十七条",
    ),
    # 03 交通运输, 04 市场监管
    DemoArticle(
        "出租车投诉",
        "出租车拒载、绕路、不打表，怎么投诉？",
        "乘客可记下车牌号、乘车时间和上下车地点，保留发票，拨打12345或交通运输服务监督电话12328投诉。经查实的，"
        "依法对驾驶员和出租汽车企业作出处理，并在7个工作日内答复投诉人；多收的车费予以退还。",
        "0302",
        TRANSPORT,
        keywords="出租车 打车 拒载 绕路 网约车",
        basis="《巡游出租汽车经营服务管理规定》第四十条",
    ),
    DemoArticle(
        "食品安全投诉举报",
        "饭店卫生差、买到过期食品，怎么举报？",
        "可拨打12315或12345，或通过全国12315平台举报，说明商家名称、地址和问题，保留购物凭证、实物或照片。市场监管"
        "部门自收到举报之日起7个工作日内决定是否立案；经查实的重大违法线索，按规定给予举报奖励。",
        "0401",
        MARKET,
        keywords="食品安全 过期食品 饭店卫生 举报 12315",
        basis="《市场监督管理投诉举报处理暂行办法》",
    ),
    DemoArticle(
        "预付卡退费纠纷",
        "办了健身卡、理发卡，店关门了怎么办？",
        "经营者停业、歇业或迁址不能继续服务的，消费者可要求退还余额。可保留预付卡、合同和付款记录，向12315或12345"
        "投诉，市场监管部门组织调解；涉嫌诈骗的向公安机关报案。",
        "0403",
        MARKET,
        keywords="预付卡 健身卡 退费 商家跑路 办卡",
        basis="《明湖市单用途商业预付卡管理办法》",
    ),
    # 13 其他
    DemoArticle(
        "12345热线受理范围",
        "什么事可以打12345？",
        "12345政务服务便民热线受理企业和群众对经济调节、市场监管、社会管理、公共服务、生态环境保护等方面的咨询、求助、"
        "投诉、举报和意见建议，7×24小时人工服务。110、119、120、122等紧急事项请直接拨打相应紧急电话。",
        "1304",
        HOTLINE,
        keywords="12345 热线 受理范围",
        basis="《国务院办公厅关于进一步优化地方政务服务便民热线的指导意见》（国办发〔2020〕53号）",
    ),
    DemoArticle(
        "居住证积分入学新办法",
        "积分入学新政策什么时候实施？",
        "新版居住证积分办法实施后，随迁子女入学按积分高低排序安排学位，积分项目包括居住年限、社保缴纳年限和合法稳定"
        "住所。具体细则以教育局发布的通知为准。",
        "0601",
        EDUCATION,
        keywords="积分入学 居住证积分 随迁子女",
        starts_in_days=30,
    ),
    DemoArticle(
        "一网通办线上办事指南（旧版）",
        "网上怎么办事？",
        "本文已被新版办事指南取代，请在门户“办事指南”栏目查询。",
        "1301",
        BIG_DATA_BUREAU,
        keywords="一网通办 网上办事",
        withdrawn=True,
    ),
)


def load_knowledge(*, actor: Any = None) -> int:
    """Write the demo articles through the knowledge base's services; returns how many were added."""
    codes = knowledge.category_codes()
    today = timezone.localdate()
    added = 0
    for item in ARTICLES:
        if item.category not in codes or knowledge.article_id_by_title(title=item.title) is not None:
            continue
        department = org_selectors.department_get_by_name(name=item.department)
        if department is None:
            continue
        effective_from = item.effective_from
        if item.starts_in_days is not None:
            effective_from = today + datetime.timedelta(days=item.starts_in_days)
        saved = knowledge.article_save(
            actor=actor,
            data=knowledge.ArticleInput(
                title=item.title,
                question=item.question,
                answer=item.answer,
                category_code=item.category,
                department_id=department.id,
                basis=item.basis,
                keywords=item.keywords,
                effective_from=effective_from,
                expires_on=item.expires_on,
            ),
        )
        if item.withdrawn:
            knowledge.article_withdraw(actor=actor, article_id=saved.pk)
        added += 1
    return added
