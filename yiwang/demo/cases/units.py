"""The demo city's dispatch catalogue (派单目录) and the units' responsibility lists (职责清单), as plain data.

Each leaf category of `taxonomy` has one city-wide entry: who leads (a named unit, or the street office or district
government of the place: 属地), who assists, and the basis — the item of the lead's list that makes it theirs, as
国办函〔2025〕66号 asks (a catalogue built from 三定, 权责清单 and 乡镇(街道)履职事项清单). Utilities (水电气暖) go to
the utility companies. The lists are what the router knows of a unit before any case has been dispatched.
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.demo.city import BIG_DATA_BUREAU, District, districts

# The lead kinds of the catalogue (the values of the cases app's LeadKind).
DEPARTMENT = "department"
STREET = "street"
DISTRICT = "district"

HOTLINE_CENTRE = "12345热线中心"


@dataclass(frozen=True)
class CatalogueEntry:
    """One row of the dispatch catalogue: a category, city-wide."""

    category_code: str
    lead_kind: str  # DEPARTMENT, STREET or DISTRICT
    lead: str  # the unit's full name when lead_kind is DEPARTMENT, else ""
    co_units: tuple[str, ...]
    basis: str


@dataclass(frozen=True)
class ResponsibilityRow:
    """One matter of a unit's responsibility list."""

    unit: str
    title: str
    description: str = ""


# Each unit's list in its own words (权责清单 / 三定 / 服务承诺), numbered from 1 in this order.
RESPONSIBILITIES: dict[str, tuple[str, ...]] = {
    "城市管理局": (
        "负责城市道路、桥梁、人行道等市政设施的养护维修和窨井盖管理",
        "负责城市道路照明设施（路灯）的建设、维护和亮灯管理",
        "负责城市道路清扫保洁、生活垃圾收集清运和公共厕所管理",
        "负责城市园林绿化、公园、行道树的养护管理",
        "负责户外广告设施和门头招牌设置的审批与监管",
        "对餐饮服务单位油烟直排、露天烧烤行为实施行政处罚",
        "对违反城市市容和环境卫生管理规定的行为实施行政处罚",
        "指导街道开展违法建设查处和占道经营整治",
        "负责建筑垃圾（渣土）处置核准和运输监管",
        "负责清理乱张贴、乱涂写、乱刻画等城市“牛皮癣”",
        "参与共享单车停放秩序管理",
        "协助开展养犬管理和犬只粪便清理",
    ),
    "住房和城乡建设局": (
        "负责建筑工程施工许可和施工现场安全文明施工监管",
        "负责建筑施工夜间作业审批和施工扬尘、噪声管控",
        "负责住宅小区物业服务活动的监督管理，指导业主委员会工作",
        "负责房地产开发企业和商品房交付、质量投诉的监管",
        "负责商品房网签备案和房屋交易市场秩序",
        "负责公共租赁住房、保障性住房的申请审核和分配管理",
        "负责老旧小区改造和既有住宅加装电梯的组织实施",
        "负责城市供水、燃气、供热行业的行业监管",
    ),
    "自然资源和规划局": (
        "负责不动产登记、不动产权证书核发和抵押登记",
        "负责国土空间规划的编制和建设工程规划许可",
        "负责违法占地、违法规划建设行为的认定",
        "负责土地征收、出让和耕地保护",
        "负责测绘地理信息管理",
    ),
    "水利局": (
        "负责城市排水管网、雨水泵站的运行管理和防汛排涝",
        "负责河道、湖泊的日常管护和河长制工作",
        "负责取水许可和水资源管理",
        "负责城市污水处理厂运行监管",
        "负责水土保持和水利工程管理",
    ),
    "生态环境局": (
        "负责工业企业大气污染物排放、异味扰民的监管和执法",
        "负责水污染防治，查处企业偷排、超标排放污水",
        "负责工业噪声污染防治和执法",
        "负责工业固体废物、危险废物污染防治的监督管理",
        "负责建设项目环境影响评价审批",
        "负责辐射环境安全监管",
        "负责环境质量监测和信息发布",
        "组织开展秸秆禁烧和露天焚烧巡查",
    ),
    "交通运输局": (
        "负责城市公共交通线路、站点、班次的规划和运营监管",
        "负责出租汽车、网络预约出租汽车的经营许可和服务监管",
        "负责共享单车等互联网租赁自行车的投放和运营监管",
        "负责道路运输经营许可和客运、货运市场监管",
        "负责国省干线公路和农村公路的建设养护",
        "负责公交从业人员服务质量投诉的处理",
    ),
    "公安局": (
        "负责户口登记、迁移、落户和居民身份证、居住证办理",
        "负责维护社会治安秩序，查处盗窃、赌博、斗殴等违法行为",
        "负责社会生活噪声（娱乐场所、广场舞、夜间喧哗）扰民的查处",
        "负责电信网络诈骗等违法犯罪的防范和打击",
        "负责道路交通秩序管理，查处违法停车，管理交通信号灯和交通标志标线",
        "负责养犬登记和犬只伤人、扰民行为的查处",
        "负责消防通道占用等消防安全违法行为的查处（会同消防救援机构）",
        "负责出入境证件的受理和签发",
    ),
    "市场监督管理局": (
        "负责食品生产经营、餐饮服务食品安全监督管理",
        "负责价格监督检查，查处乱收费和不明码标价",
        "负责消费者权益保护，受理消费投诉举报，处理退换货和预付式消费纠纷",
        "负责市场主体登记注册，查处无照经营和超范围经营",
        "负责电梯、锅炉、压力容器等特种设备安全监察",
        "负责产品质量监督抽查，查处假冒伪劣商品",
        "负责药品零售、医疗器械经营使用环节的监督管理",
        "负责广告监督管理，查处虚假宣传",
        "负责农资市场（种子、化肥、农药）经营秩序的监管",
    ),
    "商务局": (
        "负责单用途商业预付卡的备案和监管",
        "负责商贸流通行业管理和农贸市场建设",
        "负责成品油流通管理",
        "负责二手车交易市场和报废机动车回收管理",
        "负责家政服务业的管理和促进",
    ),
    "人力资源和社会保障局": (
        "负责劳动保障监察，查处用人单位拖欠、克扣工资行为",
        "负责农民工工资支付保障和欠薪治理",
        "负责企业职工养老保险、失业保险、工伤保险的参保登记和待遇支付",
        "负责退休审批和养老金发放、调整",
        "负责社会保障卡的发放和应用",
        "负责就业服务、就业补贴和创业担保贷款",
        "负责职业技能培训和职业技能等级认定",
        "负责劳动人事争议调解仲裁和劳动合同的监督",
    ),
    "税务局": (
        "负责社会保险费的征收",
        "负责税收征管和发票管理",
        "负责个人所得税汇算清缴",
        "负责纳税服务和涉税咨询",
        "负责查处偷逃税款行为",
    ),
    "医疗保障局": (
        "负责城乡居民和职工医疗保险的参保缴费管理",
        "负责医疗费用报销和门诊慢特病待遇",
        "负责异地就医备案和直接结算",
        "负责定点医药机构协议管理和医保基金监管",
        "负责医疗服务价格和药品集中采购",
        "负责生育保险待遇支付",
    ),
    "教育局": (
        "负责义务教育阶段招生入学、学区划分和学籍管理",
        "负责学前教育和幼儿园的管理",
        "负责校外培训机构的审批和监管",
        "负责学校收费和教辅材料征订的监督",
        "负责校园安全、学校食堂和师德师风的监督",
        "负责课后服务和学生作业负担的管理",
        "负责中考和普通高中招生",
    ),
    "卫生健康委员会": (
        "负责医疗机构和医务人员的执业监管、医疗服务质量和医疗纠纷调处",
        "负责预防接种和传染病防控",
        "负责生育登记服务、出生医学证明管理和育儿补贴",
        "负责查处非法行医和无证诊所",
        "负责公共场所和生活饮用水的卫生监督",
        "负责医疗美容机构的执业监管",
        "负责老年健康和医养结合",
    ),
    "司法局": (
        "负责法律援助的受理和指派",
        "负责公证机构和公证业务的监督管理",
        "负责指导人民调解工作和矛盾纠纷化解",
        "负责律师执业的监督管理",
        "负责公共法律服务平台的运行",
    ),
    "民政局": (
        "负责最低生活保障、特困人员供养和临时救助",
        "负责养老机构的监管和居家社区养老服务",
        "负责高龄津贴和困难老人补贴的发放",
        "负责殡葬管理和公墓监管",
        "负责婚姻登记",
        "负责社会组织登记和监管",
        "负责困境儿童保障和未成年人保护",
    ),
    "退役军人事务局": (
        "负责退役军人的移交安置和就业创业服务",
        "负责优抚对象的优待抚恤",
        "负责悬挂光荣牌和褒扬纪念工作",
        "负责退役军人的权益维护和帮扶援助",
        "负责军休干部的服务管理",
    ),
    "农业农村局": (
        "负责农作物种子、化肥、农药的质量监督",
        "负责耕地地力保护补贴、农机购置补贴的发放",
        "负责动物疫病防控和病死畜禽无害化处理",
        "负责生猪屠宰监管",
        "负责指导农村人居环境整治和农村改厕",
        "负责农村土地承包经营和宅基地管理",
    ),
    "财政局": (
        "负责惠农补贴资金“一卡通”的管理和发放",
        "负责政府采购的监督管理",
        "负责财政票据和非税收入的管理",
        "负责会计监督",
        "负责预算编制和执行",
    ),
    "供水公司": (
        "负责城市公共供水，计划停水提前公告，突发停水及时抢修",
        "负责供水管网的维修和水管爆裂抢修",
        "负责水表安装、更换和抄表收费",
        "负责出厂水和管网水的水质检测，处理水质异常",
        "负责高层二次供水设施的运行维护，保障水压",
        "负责用水报装和过户",
    ),
    "供电公司": (
        "负责城市电网的运行维护和停电抢修",
        "负责计划停电的公告",
        "负责电费抄核收和电表管理",
        "负责用电报装、增容和过户",
        "负责处理电压不稳、线路隐患和变压器故障",
        "负责电动汽车充电设施接入",
    ),
    "燃气公司": (
        "负责管道天然气的供应和燃气管网运行维护",
        "负责燃气泄漏的应急抢修",
        "负责燃气开户、通气和燃气表安装",
        "负责燃气费收取和燃气表故障处理",
        "负责入户安全检查和燃气安全宣传",
    ),
    "热力公司": (
        "负责集中供热的运行，保障供暖期室内温度达标",
        "负责供热管网和换热站的维修",
        "负责供暖费收取、报停和开栓",
        "负责处理暖气不热、暖气漏水等用热投诉",
        "负责供热设施的报装",
    ),
    BIG_DATA_BUREAU: (
        "负责政务服务中心窗口的管理和服务质量监督",
        "负责一网通办平台和政务服务网的运行",
        "负责政务服务“好差评”的管理",
        "负责政务数据的共享和开放",
        "负责12345热线的统筹管理",
    ),
    "文化和旅游局": (
        "负责旅游市场秩序，处理景区、旅行社和导游的投诉",
        "负责文化市场（网吧、娱乐场所经营许可）的管理",
        "负责公共图书馆、博物馆、文化馆的服务",
        "负责A级旅游景区的管理",
        "负责文物保护",
    ),
    "应急管理局": (
        "负责工矿商贸企业安全生产的综合监管",
        "负责危险化学品经营企业的安全监管",
        "负责自然灾害的应急救援和救灾物资管理",
        "负责安全生产事故的调查处理",
        "负责防汛抗旱的综合协调",
    ),
    HOTLINE_CENTRE: (
        "负责12345热线的受理、派单、督办和回访",
        "负责热线知识库的维护",
        "负责热线话务服务质量管理",
        "负责热线数据的统计和分析",
        "负责处理对热线服务本身的意见和建议",
    ),
}

# Every street office's 履职事项清单 (the same list in every street; each office is the 属地 of its communities).
STREET_OFFICE_MATTERS: tuple[str, ...] = (
    "负责辖区违法建设的巡查发现、制止和组织拆除",
    "负责辖区占道经营、流动摊贩和店外经营的日常整治",
    "负责无物业小区、老旧小区的环境卫生和公共秩序管理",
    "负责辖区邻里纠纷等矛盾纠纷的排查调处",
    "负责辖区网格化管理和网格员队伍管理",
    "负责辖区背街小巷的环境卫生整治",
    "负责辖区居民楼道杂物清理和电动车飞线充电治理",
    "负责社区居委会建设和社区服务",
    "配合开展低保、养老等民生事项的初审和走访",
    "负责辖区群租房、散居户的日常巡查",
)
# Every district government's list: what a district answers for as 属地 above its streets.
DISTRICT_MATTERS: tuple[str, ...] = (
    "负责辖区农村人居环境整治，组织村庄清洁和农村改厕",
    "负责辖区村内道路、坑塘和村庄垃圾治理",
    "统筹辖区街道（乡镇）做好属地管理事项",
    "负责辖区重大矛盾纠纷的协调化解",
    "负责辖区防汛和防灾减灾的组织",
    "负责辖区乡村振兴项目的实施",
)
_STREET_LIST = "《明湖市街道履职事项清单》"
_DISTRICT_LIST = "《明湖市区级人民政府属地管理事项清单》"

# (category, lead kind, lead, co-units, the item of the lead's list) — one per leaf category.
_CATALOGUE: tuple[tuple[str, str, str, tuple[str, ...], int], ...] = (
    ("0101", DEPARTMENT, "城市管理局", (), 1),
    ("0102", DEPARTMENT, "城市管理局", (), 2),
    ("0103", STREET, "", ("城市管理局", "自然资源和规划局"), 1),
    ("0104", STREET, "", ("城市管理局",), 2),
    ("0105", DEPARTMENT, "城市管理局", (), 3),
    ("0106", DEPARTMENT, "城市管理局", (), 4),
    ("0107", DEPARTMENT, "城市管理局", (), 5),
    ("0108", DEPARTMENT, "水利局", ("城市管理局",), 1),
    ("0201", DEPARTMENT, "生态环境局", (), 1),
    ("0202", DEPARTMENT, "生态环境局", ("水利局",), 2),
    ("0203", DEPARTMENT, "生态环境局", (), 3),
    ("0204", DEPARTMENT, "住房和城乡建设局", ("生态环境局",), 2),
    ("0205", DEPARTMENT, "城市管理局", ("生态环境局",), 6),
    ("0206", DEPARTMENT, "生态环境局", ("城市管理局",), 4),
    ("0301", DEPARTMENT, "交通运输局", (), 1),
    ("0302", DEPARTMENT, "交通运输局", (), 2),
    ("0303", DEPARTMENT, "公安局", (), 5),
    ("0304", DEPARTMENT, "公安局", (), 5),
    ("0305", DEPARTMENT, "交通运输局", ("城市管理局",), 3),
    ("0401", DEPARTMENT, "市场监督管理局", (), 1),
    ("0402", DEPARTMENT, "市场监督管理局", (), 2),
    ("0403", DEPARTMENT, "市场监督管理局", ("商务局",), 3),
    ("0404", DEPARTMENT, "市场监督管理局", (), 4),
    ("0405", DEPARTMENT, "市场监督管理局", (), 5),
    ("0501", DEPARTMENT, "人力资源和社会保障局", (), 1),
    ("0502", DEPARTMENT, "人力资源和社会保障局", ("税务局",), 3),
    ("0503", DEPARTMENT, "人力资源和社会保障局", (), 4),
    ("0504", DEPARTMENT, "人力资源和社会保障局", (), 6),
    ("0505", DEPARTMENT, "医疗保障局", (), 2),
    ("0601", DEPARTMENT, "教育局", (), 1),
    ("0602", DEPARTMENT, "教育局", (), 3),
    ("0603", DEPARTMENT, "教育局", (), 4),
    ("0604", DEPARTMENT, "教育局", (), 5),
    ("0701", DEPARTMENT, "卫生健康委员会", (), 1),
    ("0702", DEPARTMENT, "卫生健康委员会", (), 2),
    ("0703", DEPARTMENT, "卫生健康委员会", (), 3),
    ("0704", DEPARTMENT, "卫生健康委员会", (), 4),
    ("0801", DEPARTMENT, "公安局", (), 1),
    ("0802", DEPARTMENT, "公安局", (), 2),
    ("0803", DEPARTMENT, "公安局", (), 3),
    ("0804", DEPARTMENT, "公安局", (), 4),
    ("0805", DEPARTMENT, "公安局", ("城市管理局",), 6),
    ("0806", DEPARTMENT, "司法局", (), 1),
    ("0807", STREET, "", ("司法局",), 4),
    ("0901", DEPARTMENT, "民政局", (), 1),
    ("0902", DEPARTMENT, "民政局", (), 2),
    ("0903", DEPARTMENT, "民政局", (), 4),
    ("0904", DEPARTMENT, "民政局", (), 5),
    ("0905", DEPARTMENT, "退役军人事务局", (), 2),
    ("1001", DEPARTMENT, "住房和城乡建设局", (), 3),
    ("1002", STREET, "", (), 3),
    ("1003", DEPARTMENT, "住房和城乡建设局", ("自然资源和规划局",), 4),
    ("1004", DEPARTMENT, "住房和城乡建设局", (), 6),
    ("1005", DEPARTMENT, "自然资源和规划局", (), 1),
    ("1101", DEPARTMENT, "农业农村局", ("市场监督管理局",), 1),
    ("1102", DEPARTMENT, "农业农村局", ("财政局",), 2),
    ("1103", DEPARTMENT, "农业农村局", (), 3),
    ("1104", DISTRICT, "", ("农业农村局",), 1),
    ("1201", DEPARTMENT, "供水公司", (), 1),
    ("1202", DEPARTMENT, "供电公司", (), 1),
    ("1203", DEPARTMENT, "燃气公司", (), 1),
    ("1204", DEPARTMENT, "热力公司", (), 1),
    ("1205", DEPARTMENT, "供水公司", ("卫生健康委员会",), 4),
    ("1301", DEPARTMENT, BIG_DATA_BUREAU, (), 1),
    ("1302", DEPARTMENT, "文化和旅游局", (), 1),
    ("1303", DEPARTMENT, "应急管理局", (), 1),
    ("1304", DEPARTMENT, HOTLINE_CENTRE, (), 5),
)
_UTILITIES = frozenset({"供水公司", "供电公司", "燃气公司", "热力公司"})


def _basis(kind: str, lead: str, item: int) -> str:
    if kind == STREET:
        return f"{_STREET_LIST}第{item}项"
    if kind == DISTRICT:
        return f"{_DISTRICT_LIST}第{item}项"
    if lead in _UTILITIES:
        return f"《明湖市{lead}服务承诺》第{item}条"
    if lead == HOTLINE_CENTRE:
        return f"《明湖市12345政务服务便民热线管理办法》及{HOTLINE_CENTRE}职责第{item}项"
    return f"《明湖市{lead}权责清单》第{item}项"


CATALOGUE: tuple[CatalogueEntry, ...] = tuple(
    CatalogueEntry(category_code=code, lead_kind=kind, lead=lead, co_units=co_units, basis=_basis(kind, lead, item))
    for code, kind, lead, co_units, item in _CATALOGUE
)
# The item of the lead's list each entry cites, for the consistency test.
CATALOGUE_ITEMS: dict[str, int] = {code: item for code, _kind, _lead, _co, item in _CATALOGUE}


def catalogue_entry(category_code: str) -> CatalogueEntry:
    """The catalogue's entry for a leaf category."""
    for entry in CATALOGUE:
        if entry.category_code == category_code:
            return entry
    raise KeyError(category_code)


def unit_names() -> frozenset[str]:
    """Every named unit the catalogue leads or co-assigns with (street offices and districts not included)."""
    names = {entry.lead for entry in CATALOGUE if entry.lead}
    for entry in CATALOGUE:
        names.update(entry.co_units)
    return frozenset(names)


def responsibility_rows(city: tuple[District, ...] | None = None) -> tuple[ResponsibilityRow, ...]:
    """Every unit's list as rows: the named units, then each street office and district government of the city."""
    city = city if city is not None else districts()
    rows = [ResponsibilityRow(unit, title) for unit, matters in RESPONSIBILITIES.items() for title in matters]
    for district in city:
        rows.extend(ResponsibilityRow(district.government, title) for title in DISTRICT_MATTERS)
        for street in district.streets:
            rows.extend(ResponsibilityRow(street.office, title) for title in STREET_OFFICE_MATTERS)
    return tuple(rows)
