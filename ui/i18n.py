"""Every label of the web app in English, Russian and Kazakh.

`t(key, lang)` looks a label up; a missing key is a bug (KeyError), caught by the tests that
check every key has all three languages. Unit names come from the boundary layer's
name_en / name_ru / name_kk columns via `unit_name`.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
DEFAULT_LANGUAGE = "en"

STRINGS: dict[str, dict[str, str]] = {
    # shell
    "app_title": {"en": "Otbasy: family-based care planning",
                  "ru": "Отбасы: планирование семейного устройства",
                  "kk": "Отбасы: отбасылық күтімді жоспарлау"},
    "language": {"en": "Language", "ru": "Язык", "kk": "Тіл"},
    "country": {"en": "Country", "ru": "Страна", "kk": "Ел"},
    "boundary_version": {"en": "Boundary version", "ru": "Версия границ",
                         "kk": "Шекаралар нұсқасы"},
    "basemap_osm": {"en": "OpenStreetMap background (loads tiles from the internet)",
                    "ru": "Подложка OpenStreetMap (загружает тайлы из интернета)",
                    "kk": "OpenStreetMap негізі (тайлдарды интернеттен жүктейді)"},
    "page_explore": {"en": "Explore", "ru": "Обзор", "kk": "Шолу"},
    "page_scenarios": {"en": "Scenarios", "ru": "Сценарии", "kk": "Сценарийлер"},
    "page_compare": {"en": "Compare", "ru": "Сравнение", "kk": "Салыстыру"},
    "page_gaps": {"en": "Coverage gaps", "ru": "Пробелы охвата", "kk": "Қамту олқылықтары"},
    "page_data": {"en": "Data", "ru": "Данные", "kk": "Деректер"},
    "demo_notice": {"en": "Demo data: some records shown are synthetic demo records calibrated "
                          "to published totals, not a ministry registry.",
                    "ru": "Демо-данные: часть показанных записей синтетические, откалиброваны по "
                          "опубликованным итогам и не являются реестром министерства.",
                    "kk": "Демо деректер: көрсетілген жазбалардың бір бөлігі жарияланған "
                          "қорытындыларға сәйкестендірілген синтетикалық жазбалар, министрлік "
                          "тізілімі емес."},
    "layer_unavailable": {"en": "This layer is not available yet: {name}",
                          "ru": "Слой пока недоступен: {name}",
                          "kk": "Қабат әзірге қолжетімсіз: {name}"},
    # layers
    "layer_units": {"en": "Units", "ru": "Регионы", "kk": "Өңірлер"},
    "layer_institutions": {"en": "Institutions", "ru": "Учреждения", "kk": "Мекемелер"},
    "layer_centres": {"en": "Centres", "ru": "Центры", "kk": "Орталықтар"},
    "layer_proposed": {"en": "Proposed centres", "ru": "Предлагаемые центры",
                       "kk": "Ұсынылған орталықтар"},
    "layer_settlements": {"en": "Settlements", "ru": "Населённые пункты",
                          "kk": "Елді мекендер"},
    "layer_foster": {"en": "Foster families (by unit)", "ru": "Приёмные семьи (по регионам)",
                     "kk": "Қабылдаушы отбасылар (өңір бойынша)"},
    "layer_catchments": {"en": "Centre catchments", "ru": "Зоны доступности центров",
                         "kk": "Орталықтардың қолжетімділік аймақтары"},
    "layer_uncovered": {"en": "Uncovered settlements", "ru": "Неохваченные населённые пункты",
                        "kk": "Қамтылмаған елді мекендер"},
    "layer_assignments": {"en": "Assignments", "ru": "Прикрепления", "kk": "Бекітулер"},
    "layer_basemap": {"en": "OpenStreetMap", "ru": "OpenStreetMap", "kk": "OpenStreetMap"},
    # indicators
    "indicator": {"en": "Indicator", "ru": "Показатель", "kk": "Көрсеткіш"},
    "ind_institution_rate": {"en": "Children in institutions per 10,000 children",
                             "ru": "Детей в учреждениях на 10 000 детей",
                             "kk": "10 000 балаға шаққандағы мекемелердегі балалар"},
    "ind_foster_rate": {"en": "Foster families per 10,000 children",
                        "ru": "Приёмных семей на 10 000 детей",
                        "kk": "10 000 балаға шаққандағы қабылдаушы отбасылар"},
    "ind_coverage_share": {"en": "Coverage share (children within the travel standard, %)",
                           "ru": "Доля охвата (дети в пределах норматива доезда, %)",
                           "kk": "Қамту үлесі (жол нормативі шегіндегі балалар, %)"},
    "ind_children_per_centre": {"en": "Children per centre", "ru": "Детей на один центр",
                                "kk": "Бір орталыққа шаққандағы балалар"},
    "no_data": {"en": "no data", "ru": "нет данных", "kk": "деректер жоқ"},
    # columns
    "col_code": {"en": "Code", "ru": "Код", "kk": "Коды"},
    "col_unit": {"en": "Unit", "ru": "Регион", "kk": "Өңір"},
    "col_name": {"en": "Name", "ru": "Название", "kk": "Атауы"},
    "col_type": {"en": "Type", "ru": "Тип", "kk": "Түрі"},
    "col_kind": {"en": "Kind", "ru": "Вид", "kk": "Түрі"},
    "col_capacity": {"en": "Capacity", "ru": "Мощность", "kk": "Сыйымдылығы"},
    "col_staff": {"en": "Staff", "ru": "Сотрудники", "kk": "Қызметкерлер"},
    "col_operator": {"en": "Operator", "ru": "Оператор", "kk": "Операторы"},
    "col_year": {"en": "Year", "ru": "Год", "kk": "Жыл"},
    "col_demo": {"en": "Demo", "ru": "Демо", "kk": "Демо"},
    "col_children": {"en": "Children", "ru": "Дети", "kk": "Балалар"},
    "col_population": {"en": "Population", "ru": "Население", "kk": "Халық"},
    "col_settlements": {"en": "Settlements", "ru": "Населённые пункты", "kk": "Елді мекендер"},
    "col_institutions": {"en": "Institutions", "ru": "Учреждения", "kk": "Мекемелер"},
    "col_children_in_institutions": {"en": "Children in institutions",
                                     "ru": "Дети в учреждениях", "kk": "Мекемелердегі балалар"},
    "col_foster_families": {"en": "Foster families", "ru": "Приёмные семьи",
                            "kk": "Қабылдаушы отбасылар"},
    "col_centres": {"en": "Centres", "ru": "Центры", "kk": "Орталықтар"},
    "col_children_covered": {"en": "Children covered", "ru": "Охвачено детей",
                             "kk": "Қамтылған балалар"},
    "col_minutes": {"en": "Minutes to nearest centre", "ru": "Минут до ближайшего центра",
                    "kk": "Ең жақын орталыққа дейінгі минут"},
    "col_decision": {"en": "Decision", "ru": "Решение", "kk": "Шешім"},
    "col_uncovered_settlements": {"en": "Settlements beyond the standard",
                                  "ru": "Населённые пункты вне норматива",
                                  "kk": "Нормативтен тыс елді мекендер"},
    "col_uncovered_children": {"en": "Children beyond the standard",
                               "ru": "Дети вне норматива", "kk": "Нормативтен тыс балалар"},
    "col_row": {"en": "Row", "ru": "Строка", "kk": "Жол"},
    "col_field": {"en": "Field", "ru": "Поле", "kk": "Өріс"},
    "col_message": {"en": "Message", "ru": "Сообщение", "kk": "Хабар"},
    "col_file": {"en": "File", "ru": "Файл", "kk": "Файл"},
    "col_note": {"en": "Note", "ru": "Примечание", "kk": "Ескертпе"},
    "col_created": {"en": "Created", "ru": "Создан", "kk": "Құрылған"},
    "decision_open": {"en": "opened", "ru": "открыть", "kk": "ашу"},
    "decision_convert": {"en": "converted", "ru": "преобразовать", "kk": "қайта құру"},
    "decision_existing": {"en": "kept", "ru": "сохранить", "kk": "сақтау"},
    # explore
    "unit_filter": {"en": "Units (zooms the map)", "ru": "Регионы (масштабирует карту)",
                    "kk": "Өңірлер (картаны үлкейтеді)"},
    "download_csv": {"en": "Download CSV", "ru": "Скачать CSV", "kk": "CSV жүктеу"},
    "explore_help": {"en": "Use the layer control (top right of the map) to switch layers.",
                     "ru": "Слои переключаются в панели справа вверху карты.",
                     "kk": "Қабаттарды картаның оң жақ жоғарғы бұрышындағы панельден ауыстырыңыз."},
    "travel_standard_min": {"en": "Travel standard (minutes)", "ru": "Норматив доезда (минут)",
                            "kk": "Жол нормативі (минут)"},
    # scenarios
    "scenario_form": {"en": "Scenario", "ru": "Сценарий", "kk": "Сценарий"},
    "objective": {"en": "Objective", "ru": "Цель", "kk": "Мақсат"},
    "budget": {"en": "Budget (KZT)", "ru": "Бюджет (тенге)", "kk": "Бюджет (теңге)"},
    "run": {"en": "Run", "ru": "Запустить", "kk": "Іске қосу"},
    "run_status": {"en": "Running scenario", "ru": "Расчёт сценария", "kk": "Сценарий есептелуде"},
    "stage_matrix": {"en": "Travel matrix", "ru": "Матрица доезда", "kk": "Жол матрицасы"},
    "stage_model": {"en": "Building the model", "ru": "Построение модели",
                    "kk": "Модель құру"},
    "stage_solve": {"en": "Solving", "ru": "Решение", "kk": "Шешу"},
    "stage_results": {"en": "Results", "ru": "Результаты", "kk": "Нәтижелер"},
    "elapsed": {"en": "elapsed {seconds:.1f} s", "ru": "прошло {seconds:.1f} с",
                "kk": "{seconds:.1f} с өтті"},
    "run_done": {"en": "Scenario solved", "ru": "Сценарий рассчитан", "kk": "Сценарий шешілді"},
    "run_failed": {"en": "Scenario could not be solved", "ru": "Сценарий не удалось рассчитать",
                   "kk": "Сценарийді шешу мүмкін болмады"},
    "infeasible": {"en": "No plan meets every requirement.",
                   "ru": "Ни один план не удовлетворяет всем требованиям.",
                   "kk": "Барлық талапты қанағаттандыратын жоспар жоқ."},
    "cheapest_cost": {"en": "Cheapest plan that meets the requirements costs {cost} KZT.",
                      "ru": "Самый дешёвый план, удовлетворяющий требованиям, стоит {cost} тенге.",
                      "kk": "Талаптарға сай ең арзан жоспар {cost} теңге тұрады."},
    "scenario_invalid": {"en": "The scenario has problems:", "ru": "В сценарии есть ошибки:",
                         "kk": "Сценарийде қателер бар:"},
    "upload_toml": {"en": "Upload a scenario TOML to rerun it",
                    "ru": "Загрузите TOML сценария для повторного расчёта",
                    "kk": "Қайта есептеу үшін сценарий TOML файлын жүктеңіз"},
    "loaded_toml": {"en": "Loaded scenario from {name}", "ru": "Сценарий загружен из {name}",
                    "kk": "Сценарий {name} файлынан жүктелді"},
    "pick_on_map": {"en": "Click a site on the map, then add it:",
                    "ru": "Щёлкните объект на карте, затем добавьте его:",
                    "kk": "Картадағы нысанды басып, оны қосыңыз:"},
    "add_must_open": {"en": "Must open", "ru": "Обязательно открыть", "kk": "Міндетті түрде ашу"},
    "add_excluded": {"en": "Exclude", "ru": "Исключить", "kk": "Алып тастау"},
    "selected_site": {"en": "Selected site: {site}", "ru": "Выбранный объект: {site}",
                      "kk": "Таңдалған нысан: {site}"},
    "kpi_coverage": {"en": "Coverage", "ru": "Охват", "kk": "Қамту"},
    "kpi_children_covered": {"en": "Children covered", "ru": "Охвачено детей",
                             "kk": "Қамтылған балалар"},
    "kpi_capex": {"en": "Capital cost (KZT)", "ru": "Капзатраты (тенге)",
                  "kk": "Күрделі шығын (теңге)"},
    "kpi_opex": {"en": "Running cost per year (KZT)", "ru": "Текущие затраты в год (тенге)",
                 "kk": "Жылдық ағымдағы шығын (теңге)"},
    "kpi_opened": {"en": "Centres opened", "ru": "Открыто центров", "kk": "Ашылған орталықтар"},
    "kpi_converted": {"en": "Institutions converted", "ru": "Преобразовано учреждений",
                      "kk": "Қайта құрылған мекемелер"},
    "kpi_status": {"en": "Solver status", "ru": "Статус решателя", "kk": "Шешуші күйі"},
    "per_unit": {"en": "By unit", "ru": "По регионам", "kk": "Өңірлер бойынша"},
    "save_name": {"en": "Name", "ru": "Название", "kk": "Атауы"},
    "save_note": {"en": "Note", "ru": "Примечание", "kk": "Ескертпе"},
    "save": {"en": "Save to workspace", "ru": "Сохранить в рабочую область",
             "kk": "Жұмыс кеңістігіне сақтау"},
    "saved": {"en": "Saved as “{name}”.", "ru": "Сохранено как «{name}».",
              "kk": "«{name}» деп сақталды."},
    "download_toml": {"en": "Scenario TOML", "ru": "TOML сценария", "kk": "Сценарий TOML"},
    "download_gpkg": {"en": "Result GeoPackage", "ru": "Результат GeoPackage",
                      "kk": "Нәтиже GeoPackage"},
    "download_geojson": {"en": "Result GeoJSON", "ru": "Результат GeoJSON",
                         "kk": "Нәтиже GeoJSON"},
    "download_result_csv": {"en": "Result CSV (by unit)", "ru": "Результат CSV (по регионам)",
                            "kk": "Нәтиже CSV (өңірлер бойынша)"},
    "download_html": {"en": "Standalone HTML map", "ru": "Автономная HTML-карта",
                      "kk": "Дербес HTML карта"},
    "no_result": {"en": "Run a scenario to see results.",
                  "ru": "Запустите сценарий, чтобы увидеть результаты.",
                  "kk": "Нәтижені көру үшін сценарийді іске қосыңыз."},
    # compare
    "pick_scenarios": {"en": "Saved scenarios (pick two or more)",
                       "ru": "Сохранённые сценарии (выберите два или больше)",
                       "kk": "Сақталған сценарийлер (екі не одан көп таңдаңыз)"},
    "need_two": {"en": "Save at least two scenarios on the Scenarios page to compare them.",
                 "ru": "Сохраните хотя бы два сценария на странице «Сценарии».",
                 "kk": "Салыстыру үшін «Сценарийлер» бетінде кемінде екі сценарий сақтаңыз."},
    "difference": {"en": "Difference", "ru": "Разница", "kk": "Айырма"},
    "pareto_title": {"en": "Coverage vs budget", "ru": "Охват в зависимости от бюджета",
                     "kk": "Бюджетке байланысты қамту"},
    "pareto_run": {"en": "Run coverage-vs-budget curve", "ru": "Построить кривую охват/бюджет",
                   "kk": "Қамту/бюджет қисығын құру"},
    "kpi": {"en": "Indicator", "ru": "Показатель", "kk": "Көрсеткіш"},
    # gaps
    "gaps_intro": {"en": "Settlements and children beyond the travel standard of every centre. "
                         "Counts under 5 are shown as “<5”.",
                   "ru": "Населённые пункты и дети за пределами норматива доезда до любого "
                         "центра. Значения меньше 5 показаны как «<5».",
                   "kk": "Кез келген орталыққа дейінгі жол нормативінен тыс елді мекендер мен "
                         "балалар. 5-тен аз мәндер «<5» түрінде көрсетіледі."},
    "gaps_total": {"en": "{children} children in {settlements} settlements beyond {minutes} min",
                   "ru": "{children} детей в {settlements} нас. пунктах дальше {minutes} мин",
                   "kk": "{minutes} минуттан алыс {settlements} елді мекенде {children} бала"},
    # data
    "layer": {"en": "Layer", "ru": "Слой", "kk": "Қабат"},
    "upload_file": {"en": "File (GeoJSON, GeoPackage, CSV, XLSX, zipped Shapefile)",
                    "ru": "Файл (GeoJSON, GeoPackage, CSV, XLSX, Shapefile в zip)",
                    "kk": "Файл (GeoJSON, GeoPackage, CSV, XLSX, zip ішіндегі Shapefile)"},
    "problems_found": {"en": "{n} problems found; nothing was replaced.",
                       "ru": "Найдено ошибок: {n}; ничего не заменено.",
                       "kk": "{n} қате табылды; ештеңе ауыстырылмады."},
    "upload_ok": {"en": "{n} records passed every check and are now the active {layer} layer "
                        "for this session.",
                  "ru": "{n} записей прошли все проверки и стали активным слоем «{layer}» в этой "
                        "сессии.",
                  "kk": "{n} жазба барлық тексеруден өтті және осы сессияда белсенді «{layer}» "
                        "қабаты болды."},
    "save_layer": {"en": "Save layer to workspace", "ru": "Сохранить слой в рабочую область",
                   "kk": "Қабатты жұмыс кеңістігіне сақтау"},
    "layer_saved": {"en": "Layer saved as “{name}”.", "ru": "Слой сохранён как «{name}».",
                    "kk": "Қабат «{name}» деп сақталды."},
    "active_layers": {"en": "Active layers in this session", "ru": "Активные слои в этой сессии",
                      "kk": "Осы сессиядағы белсенді қабаттар"},
    "source": {"en": "Source", "ru": "Источник", "kk": "Дереккөз"},
    "source_bundled": {"en": "bundled", "ru": "встроенный", "kk": "кірістірілген"},
    "source_session": {"en": "uploaded (this session)", "ru": "загружен (эта сессия)",
                       "kk": "жүктелген (осы сессия)"},
    "saved_layers": {"en": "Saved layers in the workspace", "ru": "Сохранённые слои",
                     "kk": "Сақталған қабаттар"},
    "use_saved_layer": {"en": "Use this saved layer", "ru": "Использовать этот слой",
                        "kk": "Осы қабатты пайдалану"},
    "reset_layer": {"en": "Back to bundled layer", "ru": "Вернуть встроенный слой",
                    "kk": "Кірістірілген қабатқа қайту"},
    "name_taken": {"en": "The name “{name}” is already used; choose another.",
                   "ru": "Название «{name}» уже занято; выберите другое.",
                   "kk": "«{name}» атауы бос емес; басқасын таңдаңыз."},
    "name_required": {"en": "Enter a name.", "ru": "Введите название.", "kk": "Атауын енгізіңіз."},
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt: object) -> str:
    """The label `key` in language `lang` (falls back to English), formatted with `fmt`."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**fmt) if fmt else text


def unit_name(row: Mapping[str, object], lang: str = DEFAULT_LANGUAGE) -> str:
    """A boundary unit's name in `lang` from its name_en/name_ru/name_kk fields."""
    for column in (f"name_{lang}", "name_en", "code"):
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            return value
    return ""
