"""Every label of the web app in English, Russian and Kazakh.

`t(key, lang)` looks a label up; a missing key is a bug (KeyError), caught by the tests that
check every key has all three languages. Unit names come from the boundary layer's
name_en / name_ru / name_kk columns via `unit_name`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from numbers import Real

from access.texts import AUTH_TEXTS
from geo.layers import BOUNDARY_ATTRIBUTION
from planning.reasons import EN as EN_REASONS
from ui import numbers

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
    "unit_level": {"en": "Units", "ru": "Единицы", "kk": "Бірліктер"},
    "opt_oblast": {"en": "Oblasts", "ru": "Области", "kk": "Облыстар"},
    "opt_district": {"en": "Districts", "ru": "Районы", "kk": "Аудандар"},
    "basemap_osm": {"en": "OpenStreetMap background (loads tiles from the internet)",
                    "ru": "Подложка OpenStreetMap (загружает тайлы из интернета)",
                    "kk": "OpenStreetMap негізі (тайлдарды интернеттен жүктейді)"},
    "page_explore": {"en": "Explore", "ru": "Обзор", "kk": "Шолу"},
    "page_scenarios": {"en": "Scenarios", "ru": "Сценарии", "kk": "Сценарийлер"},
    "page_compare": {"en": "Compare", "ru": "Сравнение", "kk": "Салыстыру"},
    "page_gaps": {"en": "Coverage gaps", "ru": "Пробелы охвата", "kk": "Қамту олқылықтары"},
    "page_data": {"en": "Data", "ru": "Данные", "kk": "Деректер"},
    "page_admin": {"en": "Admin", "ru": "Администрирование", "kk": "Әкімшілік"},
    "page_monitor": {"en": "Monitor", "ru": "Мониторинг", "kk": "Мониторинг"},
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
    "layer_boundaries": {"en": "Boundaries", "ru": "Границы", "kk": "Шекаралар"},
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
    "layer_partial": {"en": "Partly covered settlements",
                      "ru": "Частично охваченные населённые пункты",
                      "kk": "Ішінара қамтылған елді мекендер"},
    "col_share_covered": {"en": "Share of children covered", "ru": "Доля охваченных детей",
                          "kk": "Қамтылған балалар үлесі"},
    "col_children_unserved": {"en": "Children not served", "ru": "Не обслуживается детей",
                              "kk": "Қызмет көрсетілмейтін балалар"},
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
    "col_author": {"en": "Author", "ru": "Автор", "kk": "Авторы"},
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
    # scenario form fields (planning.scenario.Scenario)
    "fld_name": {"en": "Scenario name", "ru": "Название сценария", "kk": "Сценарий атауы"},
    "fld_objective": {"en": "Objective", "ru": "Цель", "kk": "Мақсат"},
    "fld_coverage_target": {"en": "Coverage target (share, 0–1)",
                            "ru": "Целевой охват (доля, 0–1)",
                            "kk": "Қамту мақсаты (үлес, 0–1)"},
    "fld_region": {"en": "Region", "ru": "Территория", "kk": "Аумақ"},
    "fld_units": {"en": "Units (empty = whole country)",
                  "ru": "Регионы (пусто = вся страна)",
                  "kk": "Өңірлер (бос = бүкіл ел)"},
    "fld_travel": {"en": "Travel standard", "ru": "Норматив доезда", "kk": "Жол нормативі"},
    "fld_standard_minutes": {"en": "Travel standard (minutes)",
                             "ru": "Норматив доезда (минут)",
                             "kk": "Жол нормативі (минут)"},
    "fld_cutoff_minutes": {"en": "Travel-time cut-off (minutes)",
                           "ru": "Предел времени в пути (минут)",
                           "kk": "Жол уақытының шегі (минут)"},
    "fld_provider": {"en": "Travel-time model",
                     "ru": "Модель времени в пути",
                     "kk": "Жол уақытының моделі"},
    "fld_speed_kmh": {"en": "Average speed (km/h)",
                      "ru": "Средняя скорость (км/ч)",
                      "kk": "Орташа жылдамдық (км/сағ)"},
    "fld_circuity": {"en": "Circuity (road / straight distance)",
                     "ru": "Извилистость (дорога / прямая)",
                     "kk": "Иірімділік (жол / түзу қашықтық)"},
    "fld_graph": {"en": "Road graph (name on this server)",
                  "ru": "Дорожный граф (имя на сервере)",
                  "kk": "Жол графы (сервердегі атауы)"},
    "fld_budget": {"en": "Budget", "ru": "Бюджет", "kk": "Бюджет"},
    "fld_total_kzt": {"en": "Total budget (KZT)",
                      "ru": "Общий бюджет (тенге)",
                      "kk": "Жалпы бюджет (теңге)"},
    "fld_capex_kzt": {"en": "Capital cost (KZT)",
                      "ru": "Капитальные затраты (тенге)",
                      "kk": "Күрделі шығын (теңге)"},
    "fld_opex_kzt_per_year": {"en": "Running cost per year (KZT)",
                              "ru": "Текущие затраты в год (тенге)",
                              "kk": "Жылдық ағымдағы шығын (теңге)"},
    "fld_horizon_years": {"en": "Horizon (years)", "ru": "Горизонт (лет)", "kk": "Кезең (жыл)"},
    "fld_candidates": {"en": "Candidate sites",
                       "ru": "Возможные площадки",
                       "kk": "Ықтимал алаңдар"},
    "fld_mode": {"en": "Candidate rule",
                 "ru": "Правило отбора площадок",
                 "kk": "Алаңдарды іріктеу ережесі"},
    "fld_min_population": {"en": "Minimum settlement population",
                           "ru": "Минимальное население пункта",
                           "kk": "Елді мекеннің ең аз халқы"},
    "fld_site_ids": {"en": "Candidate site list", "ru": "Список площадок", "kk": "Алаңдар тізімі"},
    "fld_max_new": {"en": "Maximum new centres",
                    "ru": "Максимум новых центров",
                    "kk": "Жаңа орталықтардың ең көп саны"},
    "fld_capacity": {"en": "Capacities", "ru": "Мощности", "kk": "Сыйымдылықтар"},
    "fld_enabled": {"en": "Enabled", "ru": "Включено", "kk": "Қосулы"},
    "fld_social_workers": {"en": "Social workers per centre",
                           "ru": "Соцработников на центр",
                           "kk": "Орталыққа әлеуметтік қызметкерлер"},
    "fld_children_per_worker": {"en": "Children per social worker",
                                "ru": "Детей на соцработника",
                                "kk": "Бір әлеуметтік қызметкерге балалар"},
    "fld_max_centres_per_site": {"en": "Maximum centres per site",
                                 "ru": "Максимум центров на площадку",
                                 "kk": "Бір алаңға ең көп орталық"},
    "fld_conversion": {"en": "Conversions of institutions",
                       "ru": "Преобразование учреждений",
                       "kk": "Мекемелерді қайта құру"},
    "fld_types": {"en": "Institution types that may convert",
                  "ru": "Типы учреждений для преобразования",
                  "kk": "Қайта құруға болатын мекеме түрлері"},
    "fld_existing": {"en": "Existing centres", "ru": "Существующие центры", "kk": "Бар орталықтар"},
    "fld_keep": {"en": "Keep existing centres",
                 "ru": "Сохранить существующие центры",
                 "kk": "Бар орталықтарды сақтау"},
    "fld_sites": {"en": "Must-open and excluded sites",
                  "ru": "Обязательные и исключённые площадки",
                  "kk": "Міндетті және алынып тасталған алаңдар"},
    "fld_must_open": {"en": "Must open", "ru": "Обязательно открыть", "kk": "Міндетті түрде ашу"},
    "fld_excluded": {"en": "Excluded", "ru": "Исключить", "kk": "Алып тастау"},
    "fld_equity": {"en": "Equity", "ru": "Равенство доступа", "kk": "Қолжетімділік теңдігі"},
    "fld_min_unit_coverage": {"en": "Minimum coverage in every unit (share, 0–1)",
                              "ru": "Минимальный охват в каждом регионе (доля, 0–1)",
                              "kk": "Әр өңірдегі ең аз қамту (үлес, 0–1)"},
    "run_stopped": {"en": "The run stopped before it produced a plan: it took longer than the "
                          "time allowed, or the solver process failed. Try a longer time limit "
                          "(Solver) or a smaller region.",
                    "ru": "Расчёт остановлен до получения плана: он превысил отведённое время "
                          "или процесс решателя завершился сбоем. Увеличьте лимит времени "
                          "(Решатель) или уменьшите территорию.",
                    "kk": "Есептеу жоспар алынғанға дейін тоқтады: бөлінген уақыттан асып кетті "
                          "немесе шешуші процесі істен шықты. Уақыт шегін ұлғайтыңыз (Шешуші) "
                          "немесе аумақты кішірейтіңіз."},
    "country_KZ": {"en": "Kazakhstan", "ru": "Казахстан", "kk": "Қазақстан"},
    "country_KG": {"en": "Kyrgyzstan", "ru": "Кыргызстан", "kk": "Қырғызстан"},
    "country_TJ": {"en": "Tajikistan", "ru": "Таджикистан", "kk": "Тәжікстан"},
    "country_TM": {"en": "Turkmenistan", "ru": "Туркменистан", "kk": "Түрікменстан"},
    "country_UZ": {"en": "Uzbekistan", "ru": "Узбекистан", "kk": "Өзбекстан"},
    "fld_equity_level": {"en": "Units of the equity rule",
                         "ru": "Регионы правила равенства",
                         "kk": "Теңдік ережесінің өңірлері"},
    "fld_demand": {"en": "Demand", "ru": "Спрос", "kk": "Сұраныс"},
    "fld_demand_weighting": {"en": "Demand weighting",
                             "ru": "Взвешивание спроса",
                             "kk": "Сұранысты салмақтау"},
    "fld_demand_rate_year": {"en": "Year of the entry rates (empty = latest)",
                             "ru": "Год уровня поступлений (пусто = последний)",
                             "kk": "Түсу деңгейінің жылы (бос = соңғы)"},
    "fld_family_care": {"en": "Family-based care",
                        "ru": "Семейные формы устройства",
                        "kk": "Отбасылық күтім"},
    "fld_places_per_foster_family": {"en": "Places per foster family",
                                     "ru": "Мест на приёмную семью",
                                     "kk": "Бір қабылдаушы отбасыға орын"},
    "fld_guardianship_growth": {"en": "Guardianship growth (share)",
                                "ru": "Рост опеки (доля)",
                                "kk": "Қамқоршылықтың өсуі (үлес)"},
    "fld_professional_family_children": {"en": "Children per professional foster family",
                                         "ru": "Детей на профессиональную приёмную семью",
                                         "kk": "Кәсіби қабылдаушы отбасыға балалар"},
    "fld_carer_kzt_per_month": {"en": "Carer pay per month (KZT)",
                                "ru": "Оплата воспитателя в месяц (тенге)",
                                "kk": "Тәрбиешінің айлық ақысы (теңге)"},
    "fld_child_kzt_per_month": {"en": "Allowance per child per month (KZT)",
                                "ru": "Пособие на ребёнка в месяц (тенге)",
                                "kk": "Балаға айлық жәрдемақы (теңге)"},
    "fld_institution_kzt_per_child_year": {"en": "Institution cost per child per year (KZT)",
                                           "ru": "Стоимость учреждения на ребёнка в год (тенге)",
                                           "kk": "Мекемеде бір балаға жылдық шығын (теңге)"},
    "fld_solver": {"en": "Solver", "ru": "Решатель", "kk": "Шешуші"},
    "fld_solver_name": {"en": "Solver", "ru": "Решатель", "kk": "Шешуші"},
    "fld_credit_released": {"en": "Credit running costs a conversion releases",
                            "ru": "Учитывать расходы, высвобождаемые преобразованием",
                            "kk": "Қайта құру босататын шығындарды есепке алу"},
    "fld_time_limit_seconds": {"en": "Time limit (seconds)",
                               "ru": "Лимит времени (секунд)",
                               "kk": "Уақыт шегі (секунд)"},
    "fld_mip_gap": {"en": "Optimality gap",
                    "ru": "Допуск оптимальности",
                    "kk": "Оңтайлылық саңылауы"},
    "fld_threads": {"en": "Threads", "ru": "Потоки", "kk": "Ағындар"},
    "stage_solving": {"en": "Solving", "ru": "Решение", "kk": "Шешу"},
    # scenario choice values
    "opt_max_coverage": {"en": "Maximise children covered",
                         "ru": "Максимум охваченных детей",
                         "kk": "Қамтылған балалар санын арттыру"},
    "opt_min_travel": {"en": "Minimise travel time",
                       "ru": "Минимум времени в пути",
                       "kk": "Жол уақытын азайту"},
    "opt_children": {"en": "All children", "ru": "Все дети", "kk": "Барлық балалар"},
    "opt_expected_referrals": {"en": "Expected referrals (entry rate of the unit)",
                               "ru": "Ожидаемые обращения (по уровню поступлений)",
                               "kk": "Күтілетін жолдамалар (түсу деңгейі бойынша)"},
    "opt_min_cost": {"en": "Minimise cost for the coverage target",
                     "ru": "Минимум затрат при целевом охвате",
                     "kk": "Қамту мақсатына ең аз шығын"},
    "opt_max_min_coverage": {"en": "Maximise the worst unit's coverage",
                             "ru": "Максимум охвата в худшем регионе",
                             "kk": "Ең нашар өңірдің қамтуын арттыру"},
    "opt_straight": {"en": "Straight line × circuity",
                     "ru": "Прямая × извилистость",
                     "kk": "Түзу × иірімділік"},
    "opt_road": {"en": "Road network",
                 "ru": "Дорожная сеть",
                 "kk": "Жол желісі"},
    "opt_all_settlements": {"en": "Every settlement",
                            "ru": "Все населённые пункты",
                            "kk": "Барлық елді мекендер"},
    "opt_min_population": {"en": "Settlements above a population",
                           "ru": "Пункты с населением не меньше порога",
                           "kk": "Халқы шектен асатын елді мекендер"},
    "opt_list": {"en": "A list of sites",
                 "ru": "Список площадок",
                 "kk": "Алаңдар тізімі"},
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
                         "Counts under 5 are shown as “<5”; “x” hides a count that would let "
                         "a “<5” be worked out from the total.",
                   "ru": "Населённые пункты и дети за пределами норматива доезда до любого "
                         "центра. Значения меньше 5 показаны как «<5»; «x» скрывает значение, по "
                         "которому «<5» можно было бы вычислить из итога.",
                   "kk": "Кез келген орталыққа дейінгі жол нормативінен тыс елді мекендер мен "
                         "балалар. 5-тен аз мәндер «<5» түрінде көрсетіледі; «x» жиынтықтан "
                         "«<5» мәнін есептеуге мүмкіндік беретін санды жасырады."},
    "gaps_total": {"en": "{children:,} {children:plural:one=child|other=children} in "
                         "{settlements:,} {settlements:plural:one=settlement|other=settlements} "
                         "beyond {minutes} min",
                   "ru": "{children:,} {children:plural:one=ребёнок|few=ребёнка|other=детей} в "
                         "{settlements:,} {settlements:plural:one=населённом пункте|"
                         "other=населённых пунктах} дальше {minutes} мин",
                   "kk": "{minutes} минуттан алыс {settlements:,} елді мекенде {children:,} бала"},
    # data
    "layer": {"en": "Layer", "ru": "Слой", "kk": "Қабат"},
    "upload_file": {"en": "File (GeoJSON, GeoPackage, CSV, XLSX, zipped Shapefile)",
                    "ru": "Файл (GeoJSON, GeoPackage, CSV, XLSX, Shapefile в zip)",
                    "kk": "Файл (GeoJSON, GeoPackage, CSV, XLSX, zip ішіндегі Shapefile)"},
    "problems_found": {"en": "{n:,} {n:plural:one=problem|other=problems} found; nothing was "
                             "replaced.",
                       "ru": "Найдено ошибок: {n:,}; ничего не заменено.",
                       "kk": "{n:,} қате табылды; ештеңе ауыстырылмады."},
    "upload_ok": {"en": "{n:,} records are now the active {layer} layer ({mode}); it stays in use "
                        "after a reload until you go back to the bundled layer.",
                  "ru": "{n:,} записей стали активным слоем «{layer}» ({mode}); он остаётся в "
                        "работе и после перезагрузки, пока вы не вернёте встроенный слой.",
                  "kk": "{n:,} жазба белсенді «{layer}» қабаты болды ({mode}); кірістірілген "
                        "қабатқа қайтқанша, қайта жүктегеннен кейін де қолданыста қалады."},
    "upload_checked": {"en": "{n:,} records passed every check. See what changes, then apply.",
                       "ru": "{n:,} записей прошли все проверки. Посмотрите, что изменится, и "
                             "примените.",
                       "kk": "{n:,} жазба барлық тексеруден өтті. Не өзгеретінін қарап, "
                             "қолданыңыз."},
    "upload_mode": {"en": "Use the upload to", "ru": "Как использовать загрузку",
                    "kk": "Жүктемені қалай қолдану"},
    "upload_mode_replace": {"en": "Replace the bundled layer", "ru": "Заменить встроенный слой",
                            "kk": "Кірістірілген қабатты ауыстыру"},
    "upload_mode_merge": {"en": "Merge into the bundled layer by id",
                          "ru": "Объединить со встроенным слоем по id",
                          "kk": "Кірістірілген қабатпен id бойынша біріктіру"},
    "mode_replace": {"en": "replaces the bundled layer", "ru": "заменяет встроенный слой",
                     "kk": "кірістірілген қабатты ауыстырады"},
    "mode_merge": {"en": "merged by id into the bundled layer",
                   "ru": "объединён со встроенным слоем по id",
                   "kk": "кірістірілген қабатпен id бойынша біріктірілген"},
    "preview_title": {"en": "What changes", "ru": "Что изменится", "kk": "Не өзгереді"},
    "preview_counts": {"en": "{before:,} → {after:,} records: {added:,} added, {updated:,} updated, "
                             "{unchanged:,} unchanged, {removed:,} removed.",
                       "ru": "{before:,} → {after:,} записей: добавлено {added:,}, изменено "
                             "{updated:,}, без изменений {unchanged:,}, удалено {removed:,}.",
                       "kk": "{before:,} → {after:,} жазба: {added:,} қосылды, {updated:,} өзгерді, "
                             "{unchanged:,} өзгеріссіз, {removed:,} жойылды."},
    "preview_bad_ids": {"en": "Rows with a repeated id: {dups}. Rows without an id: {missing}. "
                              "Correct them before applying.",
                        "ru": "Строки с повторяющимся id: {dups}. Строки без id: {missing}. "
                              "Исправьте их перед применением.",
                        "kk": "Id қайталанатын жолдар: {dups}. Id жоқ жолдар: {missing}. "
                              "Қолданар алдында түзетіңіз."},
    "apply_upload": {"en": "Apply", "ru": "Применить", "kk": "Қолдану"},
    "change_added": {"en": "added", "ru": "добавлена", "kk": "қосылды"},
    "change_updated": {"en": "updated", "ru": "изменена", "kk": "өзгерді"},
    "change_removed": {"en": "removed", "ru": "удалена", "kk": "жойылды"},
    "col_change": {"en": "Change", "ru": "Изменение", "kk": "Өзгеріс"},
    "col_fields": {"en": "Changed fields", "ru": "Изменённые поля", "kk": "Өзгерген өрістер"},
    "col_id": {"en": "ID", "ru": "ID", "kk": "ID"},
    "uploads_active": {"en": "Uploaded layer in use", "ru": "Используется загруженный слой",
                       "kk": "Жүктелген қабат қолданыста"},
    "upload_banner": {"en": "{layer}: “{file}”, {n:,} records, {mode}, since {when}",
                      "ru": "{layer}: «{file}», записей: {n:,}, {mode}, с {when}",
                      "kk": "{layer}: «{file}», {n:,} жазба, {mode}, {when} бастап"},
    "save_layer": {"en": "Save layer to workspace", "ru": "Сохранить слой в рабочую область",
                   "kk": "Қабатты жұмыс кеңістігіне сақтау"},
    "layer_saved": {"en": "Layer saved as “{name}”.", "ru": "Слой сохранён как «{name}».",
                    "kk": "Қабат «{name}» деп сақталды."},
    "active_layers": {"en": "Layers in use", "ru": "Используемые слои",
                      "kk": "Қолданыстағы қабаттар"},
    "source": {"en": "Source", "ru": "Источник", "kk": "Дереккөз"},
    "source_bundled": {"en": "bundled", "ru": "встроенный", "kk": "кірістірілген"},
    "col_records": {"en": "Records", "ru": "Записей", "kk": "Жазбалар"},
    "source_session": {"en": "uploaded", "ru": "загружен", "kk": "жүктелген"},
    "saved_layers": {"en": "Saved layers in the workspace", "ru": "Сохранённые слои",
                     "kk": "Сақталған қабаттар"},
    "no_saved_layers": {"en": "No saved layer to show: upload one above and save it to reuse it.",
                        "ru": "Нет сохранённых слоёв для показа: загрузите слой выше и сохраните "
                              "его, чтобы использовать снова.",
                        "kk": "Көрсетілетін сақталған қабат жоқ: қабатты жоғарыда жүктеп, қайта "
                              "пайдалану үшін сақтаңыз."},
    "use_saved_layer": {"en": "Use this saved layer", "ru": "Использовать этот слой",
                        "kk": "Осы қабатты пайдалану"},
    "reset_layer": {"en": "Back to bundled layer", "ru": "Вернуть встроенный слой",
                    "kk": "Кірістірілген қабатқа қайту"},
    "name_taken": {"en": "The name “{name}” is already used; choose another.",
                   "ru": "Название «{name}» уже занято; выберите другое.",
                   "kk": "«{name}» атауы бос емес; басқасын таңдаңыз."},
    "name_required": {"en": "Enter a name.", "ru": "Введите название.", "kk": "Атауын енгізіңіз."},
    "layers_missing": {"en": "No {layers} data is bundled for this country; the page shows "
                             "what it can without it.",
                       "ru": "Для этой страны нет данных: {layers}; страница показывает то, что "
                             "может, без них.",
                       "kk": "Бұл ел үшін деректер жоқ: {layers}; бет оларсыз қолда барын "
                             "көрсетеді."},
    "gaps_no_centres": {"en": "No centre data is bundled for this country, so every child counts "
                              "as beyond the standard: this shows missing data, not measured "
                              "access.",
                        "ru": "Для этой страны нет данных о центрах, поэтому все дети считаются "
                              "за пределами норматива: это отсутствие данных, а не измеренная "
                              "доступность.",
                        "kk": "Бұл ел үшін орталықтар туралы деректер жоқ, сондықтан барлық "
                              "балалар нормативтен тыс саналады: бұл өлшенген қолжетімділік "
                              "емес, деректердің жоқтығы."},
    "error_generic": {"en": "Something went wrong on this page. The details were written to the "
                            "server log; try again or change the settings.",
                      "ru": "На этой странице произошла ошибка. Подробности записаны в журнал "
                            "сервера; повторите попытку или измените настройки.",
                      "kk": "Бұл бетте қате орын алды. Толығы сервер журналына жазылды; қайта "
                            "көріңіз немесе баптауларды өзгертіңіз."},
    # admin page
    "adm_audit": {"en": "Audit log", "ru": "Журнал аудита", "kk": "Аудит журналы"},
    "adm_event": {"en": "Event", "ru": "Событие", "kk": "Оқиға"},
    "adm_all": {"en": "(all)", "ru": "(все)", "kk": "(барлығы)"},
    "adm_user": {"en": "User", "ru": "Пользователь", "kk": "Пайдаланушы"},
    "adm_newest": {"en": "Newest entries", "ru": "Последние записи", "kk": "Соңғы жазбалар"},
    "adm_download": {"en": "Download the whole audit log (CSV)",
                     "ru": "Скачать весь журнал аудита (CSV)",
                     "kk": "Бүкіл аудит журналын жүктеу (CSV)"},
    "adm_accounts": {"en": "Accounts", "ru": "Учётные записи", "kk": "Есептік жазбалар"},
    "adm_add_title": {"en": "Add an account", "ru": "Добавить учётную запись",
                      "kk": "Есептік жазба қосу"},
    "adm_role": {"en": "Role", "ru": "Роль", "kk": "Рөл"},
    "adm_units": {"en": "Units (planners)", "ru": "Регионы (для планировщиков)",
                  "kk": "Өңірлер (жоспарлаушыларға)"},
    "adm_password": {"en": "Initial password", "ru": "Начальный пароль",
                     "kk": "Бастапқы құпиясөз"},
    "adm_add": {"en": "Add account", "ru": "Добавить", "kk": "Қосу"},
    "adm_added": {"en": "Added {name} ({role}).", "ru": "Добавлен {name} ({role}).",
                  "kk": "{name} қосылды ({role})."},
    "adm_change_title": {"en": "**Change or remove an account** (not your own)",
                         "ru": "**Изменить или удалить учётную запись** (кроме своей)",
                         "kk": "**Есептік жазбаны өзгерту немесе жою** (өзіңізден басқа)"},
    "adm_account": {"en": "Account", "ru": "Учётная запись", "kk": "Есептік жазба"},
    "adm_new_role": {"en": "New role", "ru": "Новая роль", "kk": "Жаңа рөл"},
    "adm_change": {"en": "Change role", "ru": "Изменить роль", "kk": "Рөлді өзгерту"},
    "adm_changed": {"en": "{name} is now {role}.", "ru": "{name} теперь {role}.",
                    "kk": "{name} енді {role}."},
    "adm_remove": {"en": "Remove account", "ru": "Удалить", "kk": "Жою"},
    "adm_removed": {"en": "Removed {name}.", "ru": "{name} удалён.", "kk": "{name} жойылды."},
    "col_username": {"en": "Username", "ru": "Имя пользователя", "kk": "Пайдаланушы аты"},
    "col_role": {"en": "Role", "ru": "Роль", "kk": "Рөл"},
    "col_units": {"en": "Units", "ru": "Регионы", "kk": "Өңірлер"},
    "col_timestamp": {"en": "Time", "ru": "Время", "kk": "Уақыт"},
    "col_event": {"en": "Event", "ru": "Событие", "kk": "Оқиға"},
    "col_details": {"en": "Details", "ru": "Подробности", "kk": "Толығырақ"},
    "site_centre": {"en": "centre", "ru": "центр", "kk": "орталық"},
    "site_institution": {"en": "institution", "ru": "учреждение", "kk": "мекеме"},
    "site_settlement": {"en": "settlement", "ru": "населённый пункт", "kk": "елді мекен"},
    "choose": {"en": "Choose options", "ru": "Выберите", "kk": "Таңдаңыз"},
    "col_scenario": {"en": "Scenario", "ru": "Сценарий", "kk": "Сценарий"},
    # codes shown to users
    "event_sign_in": {"en": "sign-in", "ru": "вход", "kk": "кіру"},
    "event_sign_in_failed": {"en": "failed sign-in", "ru": "неудачный вход", "kk": "сәтсіз кіру"},
    "event_sign_in_throttled": {"en": "sign-in slowed down", "ru": "вход замедлен", "kk": "кіру баяулатылды"},
    "event_sign_out": {"en": "sign-out", "ru": "выход", "kk": "шығу"},
    "event_session_expired": {"en": "session expired", "ru": "сеанс истёк", "kk": "сеанс аяқталды"},
    "event_session_refused": {"en": "session cookie refused", "ru": "cookie сеанса отклонён",
                              "kk": "сеанс cookie қабылданбады"},
    "event_session_key_rotated": {"en": "session key replaced", "ru": "ключ сеансов заменён",
                                  "kk": "сеанс кілті ауыстырылды"},
    "event_access_denied": {"en": "access denied", "ru": "доступ запрещён", "kk": "қолжетімділік жоқ"},
    "event_upload_layer": {"en": "layer uploaded", "ru": "слой загружен", "kk": "қабат жүктелді"},
    "event_upload_refused": {"en": "upload refused", "ru": "загрузка отклонена", "kk": "жүктеу қабылданбады"},
    "event_run_scenario": {"en": "scenario run", "ru": "запуск сценария", "kk": "сценарийді іске қосу"},
    "event_save_scenario": {"en": "scenario saved", "ru": "сценарий сохранён", "kk": "сценарий сақталды"},
    "event_save_layer": {"en": "layer saved", "ru": "слой сохранён", "kk": "қабат сақталды"},
    "event_export": {"en": "export", "ru": "экспорт", "kk": "экспорт"},
    "event_account_added": {"en": "account added", "ru": "учётная запись добавлена", "kk": "есептік жазба қосылды"},
    "event_account_removed": {"en": "account removed", "ru": "учётная запись удалена", "kk": "есептік жазба жойылды"},
    "event_role_changed": {"en": "role changed", "ru": "роль изменена", "kk": "рөл өзгертілді"},
    "event_password_changed": {"en": "password changed", "ru": "пароль изменён", "kk": "құпиясөз өзгертілді"},
    "yes": {"en": "yes", "ru": "да", "kk": "иә"},
    "no": {"en": "no", "ru": "нет", "kk": "жоқ"},
    "status_optimal": {"en": "optimal", "ru": "оптимально", "kk": "оңтайлы"},
    "status_feasible": {"en": "feasible (not proven optimal)",
                        "ru": "допустимо (оптимальность не доказана)",
                        "kk": "мүмкін (оңтайлылығы дәлелденбеген)"},
    "status_infeasible": {"en": "infeasible", "ru": "недопустимо", "kk": "орындалмайды"},
    "status_time_limit": {"en": "stopped at the time limit", "ru": "остановлено по времени",
                          "kk": "уақыт шегінде тоқтады"},
    "status_error": {"en": "solver error", "ru": "ошибка решателя", "kk": "шешуші қатесі"},
    "type_baby_home": {"en": "baby home", "ru": "дом ребёнка", "kk": "сәбилер үйі"},
    "type_childrens_home": {"en": "children's home", "ru": "детский дом", "kk": "балалар үйі"},
    "type_family_type_home": {"en": "family-type children's home",
                              "ru": "детский дом семейного типа",
                              "kk": "отбасылық үлгідегі балалар үйі"},
    "type_boarding_school_disability": {"en": "boarding school (special needs)",
                                        "ru": "интернат (особые потребности)",
                                        "kk": "интернат (ерекше қажеттіліктер)"},
    "type_boarding_school_general": {"en": "boarding school (general)",
                                     "ru": "интернат (общий)", "kk": "интернат (жалпы)"},
    "kind_social_work_centre": {"en": "social work centre", "ru": "центр социальной работы",
                                "kk": "әлеуметтік жұмыс орталығы"},
    "kind_family_support_centre": {"en": "family support centre",
                                   "ru": "центр поддержки семьи",
                                   "kk": "отбасын қолдау орталығы"},
    "operator_state": {"en": "state", "ru": "государственный", "kk": "мемлекеттік"},
    "operator_ngo": {"en": "NGO", "ru": "НКО", "kk": "ҮЕҰ"},
    "operator_private": {"en": "private", "ru": "частный", "kk": "жеке"},
    "total": {"en": "Total", "ru": "Итого", "kk": "Барлығы"},
    "currency_kzt": {"en": "KZT", "ru": "тенге", "kk": "теңге"},
    # plan explanations and exports
    "col_settlements_assigned": {"en": "Settlements assigned", "ru": "Прикреплено пунктов",
                                 "kk": "Бекітілген елді мекендер"},
    "col_children_served": {"en": "Children served", "ru": "Обслуживается детей",
                            "kk": "Қызмет көрсетілетін балалар"},
    "col_median_minutes": {"en": "Median travel (min)", "ru": "Медиана пути (мин)",
                           "kk": "Жолдың медианасы (мин)"},
    "col_worst_minutes": {"en": "Worst travel (min)", "ru": "Худший путь (мин)",
                          "kk": "Ең ұзақ жол (мин)"},
    "col_coverage_gained": {"en": "Children only it reaches",
                            "ru": "Детей, охватываемых только им",
                            "kk": "Тек ол қамтитын балалар"},
    "col_capex_kzt": {"en": "Capital cost (KZT)", "ru": "Капзатраты (тенге)",
                      "kk": "Күрделі шығын (теңге)"},
    "col_opex_kzt_per_year": {"en": "Running cost per year (KZT)",
                              "ru": "Текущие затраты в год (тенге)",
                              "kk": "Жылдық ағымдағы шығын (теңге)"},
    "col_released_kzt_per_year": {"en": "Released per year (KZT)",
                                  "ru": "Высвобождается в год (тенге)",
                                  "kk": "Жылына босайтын қаржы (теңге)"},
    "col_why": {"en": "Why", "ru": "Почему", "kk": "Неліктен"},
    "col_children_in_care": {"en": "Children in care", "ru": "Детей в учреждении",
                             "kk": "Мекемедегі балалар"},
    "col_coverage_gain": {"en": "Children it would reach", "ru": "Детей, которых охватит",
                          "kk": "Қамтитын балалар"},
    "col_net_cost_kzt": {"en": "Net cost over the horizon (KZT)",
                         "ru": "Чистая стоимость за период (тенге)",
                         "kk": "Кезеңдегі таза құны (теңге)"},
    "col_converted": {"en": "Converted", "ru": "Преобразовано", "kk": "Қайта құрылды"},
    "col_source": {"en": "Source", "ru": "Источник", "kk": "Дереккөз"},
    "col_licence": {"en": "Licence", "ru": "Лицензия", "kk": "Лицензия"},
    "col_data_status": {"en": "Status", "ru": "Статус", "kk": "Мәртебесі"},
    "why_kept": {"en": "Existing centre, kept by the scenario.",
                 "ru": "Существующий центр, сохранён по сценарию.",
                 "kk": "Қолданыстағы орталық, сценарий бойынша сақталды."},
    "why_must_open": {"en": "Must open (scenario setting).",
                      "ru": "Обязателен к открытию (настройка сценария).",
                      "kk": "Міндетті түрде ашылады (сценарий параметрі)."},
    "why_coverage": {"en": "Alone brings {n} children within the standard.",
                     "ru": "Только он даёт доступ в пределах норматива {n} детям.",
                     "kk": "Тек ол {n} баланы норматив шегінде қамтиды."},
    "why_pays": {"en": "Releases {released} a year of institution costs, more than it costs.",
                 "ru": "Высвобождает {released} в год расходов учреждения — больше, чем стоит.",
                 "kk": "Мекеме шығынының жылына {released} босатады — өз құнынан көп."},
    "why_no_gain": {"en": "Not converted: its reach is already covered and its costs exceed "
                          "what it releases.",
                    "ru": "Не преобразовано: его зона уже охвачена, а затраты больше "
                          "высвобождаемых средств.",
                    "kk": "Қайта құрылмады: оның аймағы қамтылған, ал шығыны босайтын "
                          "қаржыдан көп."},
    "why_cost": {"en": "Not converted: it would reach {n} children, but other sites cover more "
                       "children per tenge.",
                 "ru": "Не преобразовано: охватило бы {n} детей, но другие площадки дают больше "
                       "охвата на тенге.",
                 "kk": "Қайта құрылмады: {n} баланы қамтыр еді, бірақ басқа алаңдар әр теңгеге "
                       "көбірек бала қамтиды."},
    "why_limits": {"en": "Not converted although it would pay for itself: held back by the "
                         "scenario's limits.",
                   "ru": "Не преобразовано, хотя окупилось бы: сдерживают ограничения "
                         "сценария.",
                   "kk": "Өзін-өзі ақтаса да қайта құрылмады: сценарий шектеулері мүмкіндік "
                         "бермеді."},
    "why_excluded": {"en": "Not converted: excluded by the scenario.",
                     "ru": "Не преобразовано: исключено сценарием.",
                     "kk": "Қайта құрылмады: сценарийден алынып тасталды."},
    "conversions_title": {"en": "Institutions that could be converted",
                          "ru": "Учреждения, которые можно преобразовать",
                          "kk": "Қайта құруға болатын мекемелер"},
    "sites_title": {"en": "Every site of the plan and why",
                    "ru": "Все площадки плана и причины выбора",
                    "kk": "Жоспардың барлық алаңдары және себептері"},
    "conversions_none": {"en": "No institution converted.",
                         "ru": "Ни одно учреждение не преобразовано.",
                         "kk": "Бірде-бір мекеме қайта құрылмады."},
    "conversions_some": {"en": "{n} of {m} convertible institutions converted; {children} children "
                               "move to family care.",
                         "ru": "Преобразовано {n} из {m} учреждений; {children} детей переходят в "
                               "семьи.",
                         "kk": "{m} мекеменің {n} қайта құрылды; {children} бала отбасыға "
                               "өтеді."},
    "credit_on": {"en": "Released running costs are credited: {per_child} a year per child moved "
                        "from a converted institution to a family ({total} a year in this plan).",
                  "ru": "Учитываются высвобождаемые расходы: {per_child} в год на ребёнка, "
                        "переведённого из учреждения в семью ({total} в год в этом плане).",
                  "kk": "Босайтын шығындар ескеріледі: мекемеден отбасыға өткен әр балаға "
                        "жылына {per_child} (бұл жоспарда жылына {total})."},
    "credit_off": {"en": "Released running costs are not credited (conversions at gross cost).",
                   "ru": "Высвобождаемые расходы не учитываются (преобразование по полной "
                         "стоимости).",
                   "kk": "Босайтын шығындар ескерілмейді (қайта құру толық құнымен)."},
    "report_title": {"en": "Scenario report", "ru": "Отчёт по сценарию",
                     "kk": "Сценарий бойынша есеп"},
    "report_date": {"en": "Date", "ru": "Дата", "kk": "Күні"},
    "report_sources": {"en": "Data sources", "ru": "Источники данных",
                       "kk": "Деректер көздері"},
    "kpi_budget": {"en": "Budget over the horizon (KZT)", "ru": "Бюджет за период (тенге)",
                   "kk": "Кезеңдегі бюджет (теңге)"},
    "kpi_whole_life": {"en": "Whole-life cost, net (KZT)",
                       "ru": "Полная стоимость, нетто (тенге)",
                       "kk": "Толық құны, таза (теңге)"},
    "kpi_released": {"en": "Released per year (KZT)", "ru": "Высвобождается в год (тенге)",
                     "kk": "Жылына босайтын қаржы (теңге)"},
    "download_report": {"en": "Report (HTML)", "ru": "Отчёт (HTML)", "kk": "Есеп (HTML)"},
    # monitor (gatekeeping indicators)
    "gk_entry_rate_per_100k": {"en": "Entries into formal care per 100,000 children",
                               "ru": "Поступления в формальную опеку на 100 000 детей",
                               "kk": "100 000 балаға шаққанда ресми күтімге түскендер"},
    "gk_formal_care_rate_per_100k": {"en": "Children in formal care per 100,000 children",
                                     "ru": "Дети в формальной опеке на 100 000 детей",
                                     "kk": "100 000 балаға шаққанда ресми күтімдегі балалар"},
    "gk_exits_to_family": {"en": "Children leaving residential care for a family",
                           "ru": "Выбыли из учреждений в семью",
                           "kk": "Мекемеден отбасыға шыққан балалар"},
    "gk_exits_to_family_share": {"en": "Share of exits from residential care to a family",
                                 "ru": "Доля выбытий из учреждений в семью",
                                 "kk": "Мекемеден отбасыға шығу үлесі"},
    "gk_residential_family_ratio": {"en": "Residential vs family-based care (ratio)",
                                    "ru": "Учреждения к семейным формам (отношение)",
                                    "kk": "Мекеме мен отбасылық күтім арақатынасы"},
    "gk_residential_rate_per_100k": {"en": "Children in residential care per 100,000 children",
                                     "ru": "Дети в учреждениях на 100 000 детей",
                                     "kk": "100 000 балаға шаққанда мекемелердегі балалар"},
    "gk_family_based_share": {"en": "Share of children in formal care living in families",
                              "ru": "Доля детей в формальной опеке, живущих в семьях",
                              "kk": "Ресми күтімдегі отбасында тұратын балалар үлесі"},
    "gk_entries_residential_rate_per_100k": {
        "en": "Entries into residential care per 100,000 children",
        "ru": "Поступления в учреждения на 100 000 детей",
        "kk": "100 000 балаға шаққанда мекемеге түскендер"},
    "gk_under3_entries_residential": {"en": "Children under 3 entering residential care",
                                      "ru": "Поступления детей до 3 лет в учреждения",
                                      "kk": "Мекемеге түскен 3 жасқа дейінгі балалар"},
    "gk_disability_share": {"en": "Share of children in residential care with disabilities",
                            "ru": "Доля детей с инвалидностью в учреждениях",
                            "kk": "Мекемелердегі мүгедек балалар үлесі"},
    "gk_gatekeeping_coverage": {"en": "Gatekeeping coverage (entries assessed first)",
                                "ru": "Охват гейткипингом (поступления с оценкой)",
                                "kk": "Гейткипинг қамтуы (бағалаудан өткен түсулер)"},
    "gk_diversion_share": {"en": "Diversion share (family-based outcomes of referrals)",
                           "ru": "Доля отведённых обращений (семейные решения)",
                           "kk": "Отбасылық шешіммен аяқталған жолдамалар үлесі"},
    "gk_families_per_child_waiting": {"en": "Families waiting per child available (Bank)",
                                      "ru": "Семей-кандидатов на одного ребёнка (Банк)",
                                      "kk": "Бір балаға үміткер отбасылар (Банк)"},
    "gk_children": {"en": "Children 0-17", "ru": "Дети 0-17", "kk": "0-17 жастағы балалар"},
    "gk_entries": {"en": "Entries into formal care", "ru": "Поступления в формальную опеку",
                   "kk": "Ресми күтімге түскендер"},
    "gk_in_residential": {"en": "Children in residential care", "ru": "Дети в учреждениях",
                          "kk": "Мекемелердегі балалар"},
    "gk_in_guardianship": {"en": "Children under guardianship", "ru": "Дети под опекой",
                           "kk": "Қорғаншылықтағы балалар"},
    "gk_in_foster_care": {"en": "Children in foster care", "ru": "Дети в приёмных семьях",
                          "kk": "Қабылдаушы отбасылардағы балалар"},
    "gk_in_formal_care": {"en": "Children in formal care", "ru": "Дети в формальной опеке",
                          "kk": "Ресми күтімдегі балалар"},
    "gk_entries_residential": {"en": "Entries into residential care",
                               "ru": "Поступления в учреждения", "kk": "Мекемеге түскендер"},
    "scenario_default_name": {"en": "Family support centres", "ru": "Центры поддержки семьи",
                              "kk": "Отбасын қолдау орталықтары"},
    "gk_gk_centres": {"en": "Family support centres", "ru": "Центры поддержки семьи",
                      "kk": "Отбасын қолдау орталықтары"},
    "gk_year": {"en": "Year", "ru": "Год", "kk": "Жыл"},
    "gk_base_year": {"en": "Base year", "ru": "Базовый год", "kk": "Базалық жыл"},
    "gk_trend_unit": {"en": "Unit for the trend", "ru": "Регион для динамики",
                      "kk": "Динамика өңірі"},
    "gk_play": {"en": "Play through the years", "ru": "Проиграть по годам",
                "kk": "Жылдар бойынша көрсету"},
    "gk_national": {"en": "Kazakhstan (national)", "ru": "Казахстан (в целом)",
                    "kk": "Қазақстан (жалпы)"},
    "gk_opened": {"en": "first centre {year}", "ru": "первый центр {year}",
                  "kk": "алғашқы орталық {year}"},
    "gk_before_after": {"en": "{unit}: first family support centre opened in {year}. Entry rate "
                              "{before:.1f} per 100,000 in the 3 years before, {after:.1f} from "
                              "then on.",
                        "ru": "{unit}: первый центр поддержки семьи открыт в {year} г. "
                              "Поступления {before:.1f} на 100 000 за 3 года до, {after:.1f} "
                              "после.",
                        "kk": "{unit}: алғашқы отбасын қолдау орталығы {year} жылы ашылды. "
                              "Түсу деңгейі дейінгі 3 жылда 100 000-ға {before:.1f}, кейін "
                              "{after:.1f}."},
    "gk_no_centre": {"en": "{unit}: no family support centre in the series.",
                     "ru": "{unit}: центров поддержки семьи в ряду нет.",
                     "kk": "{unit}: қатарда отбасын қолдау орталығы жоқ."},
    "gk_alerts": {"en": "Alerts", "ru": "Сигналы", "kk": "Ескертулер"},
    "gk_no_alerts": {"en": "No alerts for this year.", "ru": "Сигналов за этот год нет.",
                     "kk": "Бұл жылға ескерту жоқ."},
    "gk_alert_rose_twice": {"en": "{unit}: entries into residential care rose two years in a "
                                  "row ({before:,} -> {now:,}).",
                            "ru": "{unit}: поступления в учреждения растут второй год подряд "
                                  "({before:,} -> {now:,}).",
                            "kk": "{unit}: мекемеге түсу екі жыл қатарынан өсті "
                                  "({before:,} -> {now:,})."},
    "gk_alert_under3": {"en": "{unit}: {now:,} children under 3 entered residential care.",
                        "ru": "{unit}: {now:,} детей до 3 лет поступили в учреждения.",
                        "kk": "{unit}: 3 жасқа дейінгі {now:,} бала мекемеге түсті."},
    "gk_alert_coverage_low": {"en": "{unit}: only {pct}% of entries into care were assessed "
                                    "first.",
                              "ru": "{unit}: только {pct}% поступлений прошли оценку.",
                              "kk": "{unit}: түсулердің тек {pct}%-ы бағаланды."},
    "gk_alert_family_share_fell": {"en": "{unit}: share of children in care living in families "
                                         "fell ({before:.1f}% -> {now:.1f}%).",
                                   "ru": "{unit}: доля детей в семейных формах снизилась "
                                         "({before:.1f}% -> {now:.1f}%).",
                                   "kk": "{unit}: отбасындағы балалар үлесі төмендеді "
                                         "({before:.1f}% -> {now:.1f}%)."},
    "gk_rebased": {"en": "Figures of {years} were published for other boundaries and are "
                         "re-based onto the {version} units by population share (area share "
                         "where no population is known).",
                   "ru": "Данные за {years} опубликованы в других границах и пересчитаны на "
                         "регионы {version} г. по доле населения (по площади, где население "
                         "неизвестно).",
                   "kk": "{years} деректері басқа шекараларда жарияланған және {version} "
                         "өңірлеріне халық үлесі бойынша (халық белгісіз жерде аумақ бойынша) "
                         "қайта есептелген."},
    "gk_change_since": {"en": "Change since {year}", "ru": "Изменение с {year}",
                        "kk": "{year} жылдан бергі өзгеріс"},
    "gk_demo_rows": {"en": "demo", "ru": "демо", "kk": "демо"},
    "gk_demo_notice": {"en": "DEMO DATA: a synthetic care series calibrated to published "
                             "national figures, not ministry statistics.",
                       "ru": "ДЕМО-ДАННЫЕ: синтетический ряд, откалиброванный по "
                             "опубликованным национальным цифрам, не статистика министерства.",
                       "kk": "ДЕМО ДЕРЕКТЕР: жарияланған ұлттық көрсеткіштерге сәйкестендірілген "
                             "синтетикалық қатар, министрлік статистикасы емес."},
    "gk_public_note": {"en": "Values built on fewer than 5 children are hidden.",
                       "ru": "Значения, основанные на менее чем 5 детях, скрыты.",
                       "kk": "5-тен аз балаға негізделген мәндер жасырылған."},
    "gk_small": {"en": "Not computed (denominator too small): {items}",
                 "ru": "Не рассчитано (слишком малый знаменатель): {items}",
                 "kk": "Есептелмеді (бөлгіш тым аз): {items}"},
    "gk_ranking": {"en": "Ranking", "ru": "Рейтинг", "kk": "Рейтинг"},
    "gk_no_units": {"en": "No units are assigned to your account.",
                    "ru": "Вашей учётной записи не назначены регионы.",
                    "kk": "Есептік жазбаңызға өңірлер тағайындалмаған."},
    "gk_loading": {"en": "Computing indicators for every unit and year...",
                   "ru": "Расчёт показателей по всем регионам и годам...",
                   "kk": "Барлық өңірлер мен жылдар бойынша көрсеткіштер есептелуде..."},
    "gk_download_map": {"en": "Download map (HTML)", "ru": "Скачать карту (HTML)",
                        "kk": "Картаны жүктеу (HTML)"},
    "gk_download_chart": {"en": "Download trend chart (PNG)",
                          "ru": "Скачать график (PNG)", "kk": "Графикті жүктеу (PNG)"},
    "gk_map_help": {"en": "Diamonds mark units that opened their first family support centre "
                          "in the year shown.",
                    "ru": "Ромбы отмечают регионы, открывшие первый центр поддержки семьи в "
                          "этом году.",
                    "kk": "Ромбтар осы жылы алғашқы отбасын қолдау орталығын ашқан өңірлерді "
                          "белгілейді."},
}


# The sign-in box and its notices (English in access.texts, which cannot import this module).
_AUTH = {
    "auth_throttled": ("Слишком много неудачных попыток. Повторите через {seconds} с.",
                       "Сәтсіз әрекеттер тым көп. {seconds} с кейін қайталаңыз."),
    "auth_wrong": ("Неверное имя пользователя или пароль.",
                   "Пайдаланушы аты немесе құпиясөз қате."),
    "auth_signed_in": ("Вы вошли как {username} ({role}).",
                       "Сіз {username} ретінде кірдіңіз ({role})."),
    "auth_expired": ("Сеанс истёк; войдите снова.", "Сеанс аяқталды; қайта кіріңіз."),
    "auth_changed": ("Ваша учётная запись изменена; войдите снова.",
                     "Есептік жазбаңыз өзгертілді; қайта кіріңіз."),
    "auth_refused": ("Сохранённый вход больше не действует; войдите снова.",
                     "Сақталған кіру енді жарамсыз; қайта кіріңіз."),
    "auth_page_public": ("Эта страница недоступна в публичном режиме: чтобы открыть её, войдите "
                         "в боковой панели с учётной записью сотрудника.",
                         "Бұл бет жалпы режимде қолжетімсіз: оны ашу үшін бүйірлік панельде "
                         "қызметкердің есептік жазбасымен кіріңіз."),
    "auth_page_role": ("Эта страница недоступна для вашей роли ({role}).",
                       "Бұл бет сіздің рөліңіз үшін қолжетімсіз ({role})."),
    "auth_action": ("У вас нет доступа к этому действию.", "Бұл әрекетке қолжетімділігіңіз жоқ."),
    "auth_action_unit": ("У вас нет доступа к этому действию для {unit}.",
                         "{unit} үшін бұл әрекетке қолжетімділігіңіз жоқ."),
    "auth_caption": ("Вход выполнен: **{username}** ({role}{units})",
                     "Кірген пайдаланушы: **{username}** ({role}{units})"),
    "auth_sign_out": ("Выйти", "Шығу"),
    "auth_sign_in": ("Войти", "Кіру"),
    "auth_public": ("Публичный режим: только агрегированные данные. Сотрудники, войдите:",
                    "Жалпы режим: тек жиынтық деректер. Қызметкерлер, кіріңіз:"),
    "auth_username": ("Имя пользователя", "Пайдаланушы аты"),
    "auth_password": ("Пароль", "Құпиясөз"),
    "role_public": ("публичный", "жалпы"),
    "role_planner": ("планировщик", "жоспарлаушы"),
    "role_ministry": ("министерство", "министрлік"),
    "role_admin": ("администратор", "әкімші"),
}
STRINGS.update({key: {"en": AUTH_TEXTS[key], "ru": ru, "kk": kk}
                for key, (ru, kk) in _AUTH.items()})
# why a scenario has no plan (planning.reasons): the English is the planning layer's own
_REASONS: dict[str, tuple[str, str]] = {
    "must_open_missing": (
        "Обязательные площадки {sites} не являются кандидатами в этом сценарии (это не "
        "населённый пункт-кандидат, не преобразуемое учреждение и не сохраняемый центр в "
        "выбранном регионе).",
        "Міндетті алаңдар {sites} бұл сценарийде үміткер емес (таңдалған өңірдегі үміткер елді "
        "мекен, қайта құрылатын мекеме немесе сақталатын орталық емес)."),
    "unassignable": (
        "Для {count} населённых пунктов с {children} детьми нет площадки-кандидата в пределах "
        "{cutoff} минут, поэтому прикрепить всех детей нельзя ({names}). Увеличьте предел "
        "времени, добавьте площадки или выберите цель «максимальный охват».",
        "{count} елді мекенде {children} бала үшін {cutoff} минут ішінде үміткер алаң жоқ, "
        "сондықтан барлық баланы бекіту мүмкін емес ({names}). Уақыт шегін ұлғайтыңыз, алаң "
        "қосыңыз немесе «барынша қамту» мақсатын таңдаңыз."),
    "target_unreachable": (
        "Лишь {share_pct} детей живут в пределах {standard} минут от какой-либо площадки, ниже "
        "цели охвата {target_pct} (недоступны: {names}).",
        "Балалардың тек {share_pct} кез келген алаңнан {standard} минут ішінде тұрады, бұл "
        "қамту мақсатынан {target_pct} төмен (қолжетімсіз: {names})."),
    "unit_below_equity": (
        "Единица {unit}: лишь {share_pct} её детей живут в пределах {standard} минут от "
        "какой-либо площадки, ниже минимума равенства {equity_pct}.",
        "{unit} бірлігі: балаларының тек {share_pct} кез келген алаңнан {standard} минут "
        "ішінде тұрады, бұл теңдік минимумынан {equity_pct} төмен."),
    "too_many_forced": (
        "Обязательных площадок ({forced}) больше предела новых центров ({limit}).",
        "Міндетті алаңдар ({forced}) жаңа орталықтар шегінен ({limit}) көп."),
    "kept_over_total": (
        "Одни сохраняемые и обязательные центры ({count}) стоят {cost_kzt} за {years} "
        "лет{credit}, больше бюджета {budget_kzt}.",
        "Тек сақталатын және міндетті орталықтардың ({count}) {years} жылдағы құны "
        "{cost_kzt}{credit}, бұл {budget_kzt} бюджетінен көп."),
    "forced_over_capex": (
        "Обязательным центрам нужно {cost_kzt} капитальных затрат, больше капитального "
        "бюджета {budget_kzt}.",
        "Міндетті орталықтарға {cost_kzt} күрделі шығын керек, бұл {budget_kzt} күрделі "
        "бюджеттен көп."),
    "kept_over_opex": (
        "Содержание сохраняемых и обязательных центров стоит {cost_kzt} в год{credit}, больше "
        "годового бюджета {budget_kzt}.",
        "Сақталатын және міндетті орталықтарды ұстау жылына {cost_kzt}{credit}, бұл "
        "{budget_kzt} жылдық бюджеттен көп."),
    "credit_note": (" (за вычетом расходов, высвобождаемых окупающимися преобразованиями)",
                    " (өзін-өзі ақтайтын қайта құрулар босататын шығындарды шегергенде)"),
    "cheapest_costs": ("Самый дешёвый план ({what}) стоит {cost_kzt} за {years} лет.",
                       "Ең арзан жоспар ({what}) {years} жылда {cost_kzt} тұрады."),
    "no_plan_at_all": (
        "Ни один план не выполняет правила даже при неограниченных средствах: правило "
        "равенства, цель охвата, мощности и обязательные площадки несовместимы.",
        "Шексіз қаражат болса да ешбір жоспар ережелерді орындамайды: теңдік ережесі, қамту "
        "мақсаты, сыйымдылықтар мен міндетті алаңдар бірге орындалмайды."),
    "budget_below_cheapest": (
        "Бюджет {budget_kzt} меньше стоимости самого дешёвого плана ({what}): {cost_kzt} за "
        "{years} лет.",
        "{budget_kzt} бюджеті ең арзан жоспардың ({what}) {years} жылдағы құнынан аз: "
        "{cost_kzt}."),
    "limits_together": (
        "Ни один план не выполняет все ограничения вместе ({limits}); самый дешёвый план "
        "({what}) без денежных и количественных ограничений стоит {cost_kzt}.",
        "Ешбір жоспар барлық шектеуді бірге орындамайды ({limits}); ақшалай және сандық "
        "шектеусіз ең арзан жоспар ({what}) {cost_kzt} тұрады."),
    "limits_none": ("не заданы", "берілмеген"),
    "limit_total": ("общий бюджет {budget_kzt}", "жалпы бюджет {budget_kzt}"),
    "limit_capex": ("капитальный бюджет {budget_kzt}", "күрделі бюджет {budget_kzt}"),
    "limit_opex": ("годовой бюджет {budget_kzt}", "жылдық бюджет {budget_kzt}"),
    "limit_new": ("не более {limit} новых центров", "{limit} жаңа орталықтан аспайды"),
    "limit_equity": ("правило равенства {equity_pct} на единицу",
                     "бірлікке {equity_pct} теңдік ережесі"),
    "what_assign": ("каждый ребёнок прикреплён к центру в пределах времени",
                    "әр бала уақыт шегінде орталыққа бекітілген"),
    "what_equity": ("с правилом равенства", "теңдік ережесімен"),
    "what_target": ("с целью охвата", "қамту мақсатымен"),
    "what_rules": ("по правилам", "ережелер бойынша"),
    "and_more": ("{names} и ещё {more}", "{names} және тағы {more}"),
}
STRINGS.update({f"reason_{code}": {"en": EN_REASONS[code], "ru": ru, "kk": kk}
                for code, (ru, kk) in _REASONS.items()})
STRINGS["attribution"] = {  # the English is the data layer's own line
    "en": BOUNDARY_ATTRIBUTION,
    "ru": "Границы: geokz (А. Родионов), CC BY 4.0, по данным Бюро национальной статистики "
          "Республики Казахстан; KG/TJ/TM/UZ: Natural Earth. Населённые пункты: GeoNames, "
          "CC BY 4.0",
    "kk": "Шекаралар: geokz (А. Родионов), CC BY 4.0, Қазақстан Республикасы Ұлттық "
          "статистика бюросының деректері бойынша; KG/TJ/TM/UZ: Natural Earth. Елді мекендер: "
          "GeoNames, CC BY 4.0",
}
STRINGS.update({  # the sweeps page
    # -- sweeps page ---------------------------------------------------------------------------
    "page_sweeps": {"en": "Sweeps", "ru": "Серии сценариев", "kk": "Сценарийлер сериясы"},
    "sweep_intro": {"en": "Solve a saved scenario under many budgets, travel standards and "
                          "random futures (children, entries to care, costs) in a background "
                          "process, then see which sites are chosen in most runs.",
                    "ru": "Решите сохранённый сценарий при разных бюджетах, нормативах доезда и "
                          "случайных вариантах будущего (дети, поступления в учреждения, "
                          "затраты) в фоновом процессе и посмотрите, какие площадки выбираются "
                          "чаще всего.",
                    "kk": "Сақталған сценарийді түрлі бюджеттер, жол нормативтері және "
                          "кездейсоқ болашақтар бойынша фондық процесте шешіп, қай орындар жиі "
                          "таңдалатынын көріңіз."},
    "sweep_new": {"en": "New sweep", "ru": "Новая серия", "kk": "Жаңа серия"},
    "sweep_need_saved": {"en": "Save a scenario on the Scenarios page to sweep it.",
                         "ru": "Сохраните сценарий на странице «Сценарии», чтобы запустить серию.",
                         "kk": "Серия үшін «Сценарийлер» бетінде сценарийді сақтаңыз."},
    "sweep_base": {"en": "Saved scenario", "ru": "Сохранённый сценарий",
                   "kk": "Сақталған сценарий"},
    "sweep_name": {"en": "Sweep name", "ru": "Название серии", "kk": "Серия атауы"},
    "sweep_default_name": {"en": "Robustness sweep", "ru": "Серия на устойчивость",
                           "kk": "Тұрақтылық сериясы"},
    "sweep_budget_factors": {"en": "Budget x (comma-separated, e.g. 0.67, 1, 1.33)",
                             "ru": "Бюджет x (через запятую, напр. 0.67, 1, 1.33)",
                             "kk": "Бюджет x (үтір арқылы, мыс. 0.67, 1, 1.33)"},
    "sweep_budget_kinds": {"en": "Budgets to vary", "ru": "Какие бюджеты менять",
                           "kk": "Қай бюджеттерді өзгерту"},
    "opt_budget_capex": {"en": "capital budget", "ru": "бюджет капвложений",
                         "kk": "күрделі салым бюджеті"},
    "opt_budget_total": {"en": "whole-life budget", "ru": "бюджет на весь срок",
                         "kk": "бүкіл мерзімге арналған бюджет"},
    "opt_budget_opex": {"en": "yearly running budget", "ru": "годовой бюджет содержания",
                        "kk": "жылдық ұстау бюджеті"},
    "sweep_budget_help": {
        "en": "Each chosen budget is multiplied by every factor (one grid axis per budget). A "
              "budget the saved scenario leaves unset is scaled from its whole-life budget: "
              "a quarter of it as the capital budget, all of it spread over the years as the "
              "running budget. With released running costs credited (the default) the "
              "whole-life budget rarely binds; the capital budget does.",
        "ru": "Каждый выбранный бюджет умножается на каждый множитель (по оси на бюджет). "
              "Бюджет, не заданный в сохранённом сценарии, считается от бюджета на весь срок: "
              "четверть его как бюджет капвложений, весь он, разделённый по годам, как бюджет "
              "содержания. При зачёте высвобождаемых расходов (по умолчанию) бюджет на весь "
              "срок редко ограничивает план, а бюджет капвложений ограничивает.",
        "kk": "Таңдалған әр бюджет әр көбейткішке көбейтіледі (әр бюджетке бір ось). "
              "Сақталған сценарийде берілмеген бюджет бүкіл мерзімге арналған бюджеттен "
              "есептеледі: оның төрттен бірі күрделі салым бюджеті, жылдарға бөлінген барлығы "
              "ұстау бюджеті. Босатылған шығындар есепке алынғанда (әдепкі) бүкіл мерзімге "
              "арналған бюджет жоспарды сирек шектейді, ал күрделі салым бюджеті шектейді."},
    "sweep_bad_factors": {"en": "{field}: every multiplier must be greater than 0.",
                          "ru": "{field}: каждый множитель должен быть больше 0.",
                          "kk": "{field}: әр көбейткіш 0-ден үлкен болуы керек."},
    "sweep_no_budget": {
        "en": "The saved scenario sets no {budget} and no whole-life budget to scale it from: "
              "set one on the Scenarios page or choose another budget.",
        "ru": "В сохранённом сценарии не задан ни {budget}, ни бюджет на весь срок, от "
              "которого его можно рассчитать: задайте его на странице «Сценарии» или "
              "выберите другой бюджет.",
        "kk": "Сақталған сценарийде {budget} де, оны есептейтін бүкіл мерзімге арналған "
              "бюджет те берілмеген: оны «Сценарийлер» бетінде беріңіз немесе басқа бюджетті "
              "таңдаңыз."},
    "sweep_budgets_tried": {"en": "{budget}: {amounts} bn KZT",
                            "ru": "{budget}: {amounts} млрд тенге",
                            "kk": "{budget}: {amounts} млрд теңге"},
    "sweep_standards": {"en": "Travel standards, minutes (comma-separated)",
                        "ru": "Нормативы доезда, минут (через запятую)",
                        "kk": "Жол нормативтері, минут (үтір арқылы)"},
    "sweep_runs": {"en": "Random draws per setting", "ru": "Случайных вариантов на настройку",
                   "kk": "Әр баптауға кездейсоқ нұсқа"},
    "sweep_seed": {"en": "Seed", "ru": "Зерно (seed)", "kk": "Бастапқы сан (seed)"},
    "sweep_children": {"en": "Children ± share", "ru": "Дети ± доля", "kk": "Балалар ± үлес"},
    "sweep_entry_rate": {"en": "Entries to care ± share", "ru": "Поступления в учреждения ± доля",
                         "kk": "Мекемеге түсу ± үлес"},
    "sweep_capex": {"en": "Capital costs ± share", "ru": "Капзатраты ± доля",
                    "kk": "Күрделі шығын ± үлес"},
    "sweep_opex": {"en": "Running costs ± share", "ru": "Текущие затраты ± доля",
                   "kk": "Ағымдағы шығын ± үлес"},
    "sweep_regret_plan": {"en": "Plan for the regret table", "ru": "План для таблицы потерь",
                          "kk": "Шығын кестесіне арналған жоспар"},
    "opt_base": {"en": "the saved scenario's plan", "ru": "план сохранённого сценария",
                 "kk": "сақталған сценарийдің жоспары"},
    "opt_frequent": {"en": "sites most runs choose", "ru": "площадки, выбранные чаще всего",
                     "kk": "ең жиі таңдалған орындар"},
    "sweep_launch": {"en": "Start sweep", "ru": "Запустить серию", "kk": "Серияны бастау"},
    "sweep_started": {"en": "Sweep “{name}” started in the background ({runs} runs).",
                      "ru": "Серия «{name}» запущена в фоне ({runs} прогонов).",
                      "kk": "«{name}» сериясы фонда басталды ({runs} есептеу)."},
    "sweep_bad_numbers": {"en": "{field}: enter numbers separated by commas.",
                          "ru": "{field}: введите числа через запятую.",
                          "kk": "{field}: сандарды үтір арқылы енгізіңіз."},
    "sweep_runs_solved": {"en": "Runs solved", "ru": "Решено прогонов",
                          "kk": "Шешілген есептеулер"},
    "sweep_max_lost": {"en": "Most children lost (regret)", "ru": "Наибольшая потеря (дети)",
                       "kk": "Ең көп жоғалту (балалар)"},
    "sweep_pick": {"en": "Sweep", "ru": "Серия", "kk": "Серия"},
    "sweep_none": {"en": "No sweeps yet.", "ru": "Серий пока нет.", "kk": "Әзірге серия жоқ."},
    "sweep_progress": {"en": "{done} of {total} runs done, {failed} failed",
                       "ru": "Выполнено {done} из {total} прогонов, с ошибкой {failed}",
                       "kk": "{total} есептеудің {done} орындалды, {failed} сәтсіз"},
    "sweep_refresh": {"en": "Refresh", "ru": "Обновить", "kk": "Жаңарту"},
    "sweep_robust_map": {"en": "Robust sites: share of runs choosing each site",
                         "ru": "Устойчивые площадки: доля прогонов, выбравших площадку",
                         "kk": "Тұрақты орындар: орынды таңдаған есептеулер үлесі"},
    "sweep_bands": {"en": "Coverage against budget across the random draws",
                    "ru": "Охват в зависимости от бюджета по случайным вариантам",
                    "kk": "Кездейсоқ нұсқалар бойынша бюджетке қатысты қамту"},
    "sweep_regret": {"en": "Regret: the chosen plan under every run's data",
                     "ru": "Потери: выбранный план на данных каждого прогона",
                     "kk": "Шығын: таңдалған жоспар әр есептеудің деректерінде"},
    "sweep_failed_runs": {"en": "Failed runs", "ru": "Прогоны с ошибкой",
                          "kk": "Сәтсіз есептеулер"},
    "sweep_never_chosen": {"en": "Never chosen", "ru": "Ни разу не выбрана",
                           "kk": "Бірде таңдалмаған"},
    "sweep_chosen_sites": {"en": "Chosen sites", "ru": "Выбранные площадки",
                           "kk": "Таңдалған орындар"},
    "sweep_every_run": {"en": "Every run", "ru": "Во всех прогонах", "kk": "Барлық есептеуде"},
    "download_sweep": {"en": "Download {name}", "ru": "Скачать {name}", "kk": "{name} жүктеу"},
    "col_share_chosen": {"en": "Share of runs", "ru": "Доля прогонов", "kk": "Есептеулер үлесі"},
    "col_budget_bn": {"en": "Budget, bn KZT", "ru": "Бюджет, млрд тенге",
                      "kk": "Бюджет, млрд теңге"},
    "col_capex_budget_bn": {"en": "Capital budget, bn KZT",
                            "ru": "Бюджет капвложений, млрд тенге",
                            "kk": "Күрделі салым бюджеті, млрд теңге"},
    "col_opex_budget_bn": {"en": "Annual running budget, bn KZT",
                           "ru": "Годовой бюджет содержания, млрд тенге",
                           "kk": "Жылдық ұстау бюджеті, млрд теңге"},
    "col_setting": {"en": "Setting", "ru": "Настройка", "kk": "Баптау"},
    "col_coverage_pct": {"en": "Coverage, %", "ru": "Охват, %", "kk": "Қамту, %"},
    "col_optimum_covered": {"en": "Run's optimum (children)", "ru": "Оптимум прогона (дети)",
                            "kk": "Есептеу оптимумы (балалар)"},
    "col_plan_covered": {"en": "Plan covers (children)", "ru": "План охватывает (дети)",
                         "kk": "Жоспар қамтиды (балалар)"},
    "col_children_lost": {"en": "Children lost", "ru": "Потеря (дети)", "kk": "Жоғалту (балалар)"},
    "col_coverage_lost_pct": {"en": "Coverage lost, points", "ru": "Потеря охвата, п.п.",
                              "kk": "Қамту жоғалту, п.п."},
    "col_plan_within_budget": {"en": "Plan within budget", "ru": "План в пределах бюджета",
                               "kk": "Жоспар бюджет шегінде"},
})


# `{n:,}`, `{x:.1f}`, `{x:,.2f}`: a number written the way the language writes numbers
_NUMBER_SPEC = re.compile(r",?(?:\.(\d)f)?")


class _Formatter(string.Formatter):
    """`str.format` plus `{n:plural:one=..|few=..|other=..}`: the word form for the number `n`
    by the CLDR plural rules of the language (Babel); a non-number such as "<5" takes the
    form for many ("детей"), else "other". A number with the spec `,` or `.Nf` is written the
    language's way (`ui.numbers.number`: "12 345,5" in ru/kk), a text such as "<5" as it is;
    a number without a spec (a year) stays plain digits."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        spec = _NUMBER_SPEC.fullmatch(format_spec) if format_spec else None
        if spec is not None:
            if isinstance(value, Real) and not isinstance(value, bool):
                return numbers.number(float(value), self.lang, int(spec.group(1) or 0))
            return str(value)
        if not format_spec.startswith("plural:"):
            return super().format_field(value, format_spec)
        forms = dict(f.split("=", 1) for f in format_spec[len("plural:"):].split("|"))
        if isinstance(value, Real) and not isinstance(value, bool) and value == value:  # not NaN
            whole = float(value).is_integer()
            return numbers.plural(int(value) if whole else float(value), forms, self.lang)
        return forms.get("many", forms["other"])


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt: object) -> str:
    """The label `key` in language `lang` (falls back to English), formatted with `fmt`
    (plural forms chosen by `{n:plural:...}`, see `_Formatter`)."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return _Formatter(lang).format(text, **fmt) if fmt else text


def browser_language(locale: str | None) -> str:
    """The app language for a browser's locale ("ru-RU" -> "ru", "kk" -> "kk"), else the
    default: what a reload or a shared link opens in before the user chooses."""
    code = (locale or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def linked_language(value: object) -> str | None:
    """The language a link asks for (`?lang=ru`), None unless it is one of ours: an unknown
    value is ignored (never shown), so the browser's language applies."""
    return value if isinstance(value, str) and value in LANGUAGES else None


def unit_name(row: Mapping[str, object], lang: str = DEFAULT_LANGUAGE) -> str:
    """A boundary unit's name in `lang` from its name_en/name_ru/name_kk fields."""
    for column in (f"name_{lang}", "name_en", "code"):
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def country_name(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A bundled country's name in `lang` (the ISO code itself for a country not listed)."""
    key = f"country_{code}"
    return t(key, lang) if key in STRINGS else code
